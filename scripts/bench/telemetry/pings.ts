// A POST /v1/telemetry body: pings of `size` consecutive vehicles of the fleet (wrapping around), as a
// gateway batching many vans would send (the demo's pinger does the same), each somewhere in Amsterdam.

const vehicleIdOf = (n: number) => `van-${String(n).padStart(5, '0')}`;

const pingOf = (n: number, recordedAt: string) => {
  const lat = (52.3 + (n % 100) * 0.001).toFixed(5);
  const lng = (4.85 + (n % 97) * 0.001).toFixed(5);
  return `{"vehicleId":"${vehicleIdOf(n)}","lat":${lat},"lng":${lng},"speed":${n % 60},"heading":${(n * 7) % 360},"recordedAt":"${recordedAt}"}`;
};

export const batchBody = (firstVehicle: number, size: number, vehicles: number, recordedAt: string): string => {
  const pings = new Array<string>(size);
  for (let i = 0; i < size; i++) pings[i] = pingOf((firstVehicle + i) % vehicles, recordedAt);
  return `{"pings":[${pings.join(',')}]}`;
};

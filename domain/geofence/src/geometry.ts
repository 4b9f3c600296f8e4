// Distances on the Earth's surface, for fences of tens to hundreds of metres: the haversine formula on a
// sphere of the mean radius (its error against the ellipsoid, under 0.5 %, is far below a GPS fix's).

export type Point = { readonly lat: number; readonly lng: number };

const earthRadiusM = 6_371_008.8;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** The great-circle distance between two points, in metres. */
export const distanceM = (a: Point, b: Point): number => {
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * earthRadiusM * Math.asin(Math.min(1, Math.sqrt(h)));
};

/** The point `metres` north (negative: south) of `point`: what tests and benchmarks place pings with. */
export const northOf = (point: Point, metres: number): Point => ({
  lat: point.lat + (metres / earthRadiusM) * (180 / Math.PI),
  lng: point.lng,
});

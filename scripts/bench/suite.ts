// Every benchmark of `npm run bench`, in the order they run: the module exporting it and its name there.
const here = (file: string) => new URL(file, import.meta.url).pathname;

export const suite: readonly { readonly name: string; readonly module: string }[] = [
  { name: 'append', module: here('./append.ts') },
  { name: 'replay', module: here('./replay.ts') },
  { name: 'api-latency', module: here('./api-latency.ts') },
  { name: 'notifications', module: here('./notifications.ts') },
  { name: 'telemetry', module: here('./telemetry.ts') },
  { name: 'lag', module: here('./lag.ts') },
  { name: 'spanner', module: here('./spanner.ts') },
  { name: 'optimizer', module: here('./optimizer.ts') },
  { name: 'timers', module: here('./timers.ts') },
  { name: 'dispatch', module: here('./dispatch.ts') },
  { name: 'geofence', module: here('./geofence.ts') },
];

// Route boards: every route live (status, van, progress), and one route's board: its stops in order with
// status, ETA (when the platform estimates one) and the time each was closed, its van's load against
// capacity; both follow the route boards' streams.
import { dataOf } from '../api.ts';
import { dateTime, fill, h, time, words } from '../dom.ts';
import { can, liveIndicator, notice, type PageFactory } from '../page.ts';
import { etaErrorText, type FleetVehicleView, type RouteBoardView } from '../views.ts';

const routeLink = (routeId: string) => h('a', { href: `#/routes/${encodeURIComponent(routeId)}` }, routeId);

export const routesPage: PageFactory = ({ api, host }) => {
  const indicator = liveIndicator();
  const rows = h('tbody');
  host.append(
    h(
      'section',
      { class: 'page routes' },
      h('h1', {}, 'Routes'),
      indicator.element,
      h(
        'table',
        {},
        h('caption', {}, 'Routes, most recently changed first'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Route', 'Status', 'Depot', 'Vehicle', 'Driver', 'Progress', 'Window'].map((name) => h('th', { scope: 'col' }, name)),
          ),
        ),
        rows,
      ),
    ),
  );
  const routes = new Map<string, RouteBoardView>();
  const render = () =>
    fill(
      rows,
      ...[...routes.values()]
        .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
        .map((route) =>
          h(
            'tr',
            { 'data-route-id': route.routeId },
            h('th', { scope: 'row' }, routeLink(route.routeId)),
            h('td', {}, words(route.status)),
            h('td', {}, route.depotId),
            h('td', {}, route.vehicleId ?? '—'),
            h('td', {}, route.driverId ?? '—'),
            h(
              'td',
              {},
              `${route.progress.completed + route.progress.skipped} of ${route.progress.total} stops (${route.progress.percent}%)`,
            ),
            h('td', {}, `${time(route.dispatchWindow.from)}–${time(route.dispatchWindow.to)}`),
          ),
        ),
    );
  const stop = api.follow('/v1/routes/stream', {
    onOpen: indicator.live,
    onDisconnect: indicator.lost,
    onEvent: (event) => {
      const route = dataOf<RouteBoardView>(event);
      routes.set(route.routeId, route);
      render();
    },
  });
  return { title: 'Routes', stop };
};

export const routeBoardPage: PageFactory = ({ api, me, params, host }) => {
  const routeId = params['routeId'] ?? '';
  const indicator = liveIndicator();
  const summary = h('dl', { class: 'facts' });
  const load = h('div', { class: 'load' });
  const stopRows = h('tbody');
  const messages = h('div');
  host.append(
    h(
      'section',
      { class: 'page route-board' },
      h('h1', {}, `Route ${routeId}`),
      indicator.element,
      messages,
      summary,
      load,
      h(
        'table',
        { class: 'stops' },
        h('caption', {}, 'Stops in visiting order'),
        h(
          'thead',
          {},
          h('tr', {}, ...['#', 'Stop', 'Status', 'ETA', 'Arrived', 'Parcels', 'Closed at'].map((name) => h('th', { scope: 'col' }, name))),
        ),
        stopRows,
      ),
    ),
  );
  let vehicleId: string | null = null;
  const fact = (term: string, value: Node | string) => [h('dt', {}, term), h('dd', {}, value)];
  const renderRoute = (route: RouteBoardView) => {
    vehicleId = route.vehicleId;
    fill(
      summary,
      ...fact('Status', words(route.status)),
      ...fact('Depot', route.depotId),
      ...fact('Dispatch window', `${dateTime(route.dispatchWindow.from)} – ${dateTime(route.dispatchWindow.to)}`),
      ...fact('Vehicle', route.vehicleId ?? 'none yet'),
      ...fact('Driver', route.driverId ?? 'none yet'),
      ...fact('Started', dateTime(route.startedAt)),
      ...fact('Finished', dateTime(route.finishedAt)),
      ...fact(
        'ETA accuracy',
        route.etaAccuracy.meanAbsoluteErrorSeconds === null
          ? 'no stop measured yet'
          : `off by ${Math.round(route.etaAccuracy.meanAbsoluteErrorSeconds / 60)} min on average over ${route.etaAccuracy.measuredStops} stop(s)`,
      ),
      ...fact(
        'Progress',
        h(
          'span',
          {},
          h('progress', {
            max: route.progress.total,
            value: route.progress.completed + route.progress.skipped,
            'aria-label': 'Stops closed',
          }),
          ` ${route.progress.completed} done, ${route.progress.skipped} skipped, ${route.progress.pending} to go`,
        ),
      ),
    );
    fill(
      stopRows,
      ...route.stops.map((stop, index) =>
        h(
          'tr',
          { 'data-stop-id': stop.stopId, class: `stop-${stop.status}` },
          h('td', {}, index + 1),
          h('th', { scope: 'row' }, stop.stopId),
          h('td', {}, words(stop.status) + (stop.skipReason === null ? '' : ` (${stop.skipReason})`)),
          h('td', { class: 'eta' }, time(stop.eta), ...(stop.etaErrorSeconds === null ? [] : [` (${etaErrorText(stop.etaErrorSeconds)})`])),
          // When the van entered the stop's geofence (docs/telemetry-rules.md).
          h('td', {}, time(stop.arrivedAt)),
          h(
            'td',
            {},
            ...stop.parcelIds.flatMap((parcelId, i) => [
              i > 0 ? ', ' : '',
              h('a', { href: `#/parcels/${encodeURIComponent(parcelId)}` }, parcelId),
            ]),
          ),
          h('td', {}, time(stop.completedAt ?? stop.skippedAt)),
        ),
      ),
    );
  };
  const renderLoad = (vehicle: FleetVehicleView) =>
    fill(
      load,
      h(
        'label',
        { for: 'van-load' },
        `Load of ${vehicle.vehicleId}: ${vehicle.loadKg} of ${vehicle.capacityKg} kg (${vehicle.loadPercent}%)`,
      ),
      ' ',
      h('meter', { id: 'van-load', min: 0, max: vehicle.capacityKg, high: vehicle.capacityKg * 0.9, value: vehicle.loadKg }),
    );
  const stops = [
    api.follow(`/v1/routes/${encodeURIComponent(routeId)}/events`, {
      onOpen: indicator.live,
      onDisconnect: indicator.lost,
      onRefused: (error) => fill(messages, notice(error.message, 'error')),
      onEvent: (event) => renderRoute(dataOf<RouteBoardView>(event)),
    }),
    // The van's load: the fleet read model (dispatchers, admins and auditors read it).
    ...(can(me, 'admin', 'dispatcher', 'auditor')
      ? [
          api.follow('/v1/fleet/stream', {
            onEvent: (event) => {
              const vehicle = dataOf<FleetVehicleView>(event);
              if (vehicle.vehicleId === vehicleId) renderLoad(vehicle);
            },
          }),
        ]
      : []),
  ];
  return { title: `Route ${routeId}`, stop: () => stops.forEach((stop) => stop()) };
};

// The live map (dispatcher, admin): every vehicle at its latest position, moving as pings arrive, coloured by
// duty status, with its route's remaining stops; a click (or the table's link) opens the route board. Fed by
// three streams: positions (the live map), vehicles (the fleet) and active routes (the route boards).
import { dataOf } from '../api.ts';
import { fill, h, time, words } from '../dom.ts';
import { createMap } from '../map.ts';
import { liveIndicator, type PageFactory } from '../page.ts';
import { dutyColours, unknownColour, type FleetVehicleView, type LiveMapPosition, type RouteBoardView } from '../views.ts';

const activeRoute = (route: RouteBoardView) => route.status === 'Assigned' || route.status === 'InProgress';

export const liveMapPage: PageFactory = ({ api, host }) => {
  const indicator = liveIndicator();
  const mapElement = h('div', { class: 'map', role: 'region', 'aria-label': 'Map of the vehicles and their remaining stops' });
  const rows = h('tbody');
  const legend = h(
    'ul',
    { class: 'legend', 'aria-label': 'Colours' },
    ...Object.entries(dutyColours).map(([status, colour]) =>
      h('li', {}, h('span', { class: 'swatch', style: `background:${colour}` }), words(status)),
    ),
  );
  const element = h(
    'section',
    { class: 'page live-map' },
    h('h1', {}, 'Live map'),
    indicator.element,
    legend,
    mapElement,
    h(
      'table',
      { class: 'vehicles' },
      h('caption', {}, 'Vehicles'),
      h('thead', {}, h('tr', {}, ...['Vehicle', 'Duty', 'Route', 'Position', 'Seen at'].map((name) => h('th', { scope: 'col' }, name)))),
      rows,
    ),
  );
  host.append(element);
  const positions = new Map<string, LiveMapPosition>();
  const fleet = new Map<string, FleetVehicleView>();
  const routes = new Map<string, RouteBoardView>();
  const map = createMap(mapElement, {
    onVehicle: (vehicleId) => {
      const routeId = fleet.get(vehicleId)?.routeId;
      if (routeId !== null && routeId !== undefined) location.hash = `#/routes/${encodeURIComponent(routeId)}`;
    },
  });

  const drawRoute = (route: RouteBoardView) => {
    if (!activeRoute(route)) return map.removeRoute(route.routeId);
    const from = route.vehicleId === null ? undefined : positions.get(route.vehicleId);
    const remaining = route.stops.filter((stop) => stop.status === 'pending');
    map.showRoute(
      route.routeId,
      remaining.map((stop) => ({
        stopId: stop.stopId,
        lat: stop.location.lat,
        lng: stop.location.lng,
        label: `${route.routeId}: stop ${stop.stopId}`,
      })),
      from,
    );
  };

  const renderTable = () => {
    const ids = [...new Set([...positions.keys(), ...fleet.keys()])].sort();
    fill(
      rows,
      ...ids.map((vehicleId) => {
        const position = positions.get(vehicleId);
        const vehicle = fleet.get(vehicleId);
        const routeId = vehicle?.routeId ?? null;
        return h(
          'tr',
          { 'data-vehicle-id': vehicleId },
          h('th', { scope: 'row' }, vehicleId),
          h('td', { class: 'duty' }, vehicle === undefined ? '—' : words(vehicle.dutyStatus)),
          h('td', {}, routeId === null ? '—' : h('a', { href: `#/routes/${encodeURIComponent(routeId)}` }, routeId)),
          h('td', { class: 'position' }, position === undefined ? '—' : `${position.lat.toFixed(5)}, ${position.lng.toFixed(5)}`),
          h('td', {}, time(position?.recordedAt)),
        );
      }),
    );
  };

  const drawVehicle = (vehicleId: string) => {
    const position = positions.get(vehicleId);
    if (position === undefined) return;
    const vehicle = fleet.get(vehicleId);
    map.showVehicle({
      vehicleId,
      lat: position.lat,
      lng: position.lng,
      colour: vehicle === undefined ? unknownColour : (dutyColours[vehicle.dutyStatus] ?? unknownColour),
      label: `${vehicleId}: ${vehicle === undefined ? 'not in the fleet' : words(vehicle.dutyStatus)}${vehicle?.routeId ? `, route ${vehicle.routeId}` : ''}`,
    });
    for (const route of routes.values()) if (route.vehicleId === vehicleId) drawRoute(route);
  };

  // The map frames the whole first picture (the streams' first events), then stays where it is as vans move.
  const openedAt = Date.now();
  const frameFirstPicture = () => {
    if (Date.now() - openedAt < 3_000) map.frame();
  };
  const changed = (vehicleId: string | undefined) => {
    if (vehicleId !== undefined) drawVehicle(vehicleId);
    renderTable();
    frameFirstPicture();
  };

  const stops = [
    api.follow('/v1/live-map/stream', {
      onOpen: indicator.live,
      onDisconnect: indicator.lost,
      onEvent: (event) => {
        const position = dataOf<LiveMapPosition>(event);
        positions.set(position.vehicleId, position);
        changed(position.vehicleId);
      },
    }),
    api.follow('/v1/fleet/stream', {
      onEvent: (event) => {
        const vehicle = dataOf<FleetVehicleView>(event);
        fleet.set(vehicle.vehicleId, vehicle);
        changed(vehicle.vehicleId);
      },
    }),
    api.follow('/v1/routes/stream?status=Assigned,InProgress', {
      onEvent: (event) => {
        const route = dataOf<RouteBoardView>(event);
        routes.set(route.routeId, route);
        drawRoute(route);
        frameFirstPicture();
      },
    }),
  ];
  return {
    title: 'Live map',
    stop: () => {
      stops.forEach((stop) => stop());
      map.destroy();
    },
  };
};

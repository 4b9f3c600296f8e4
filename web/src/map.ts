// The map both pages draw on (Leaflet): tiles from the configured server, or none (a plain background, as
// offline and in tests); vehicles as coloured dots that move when told, stops as small rings, a dashed line
// from a van through its remaining stops. Each vehicle's SVG element carries its id and position as data
// attributes, for assistive tools and tests alike.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

export type LatLng = { readonly lat: number; readonly lng: number };

export type VehicleMark = LatLng & { readonly vehicleId: string; readonly colour: string; readonly label: string };

export type StopMark = LatLng & { readonly stopId: string; readonly label: string };

export type MapView = {
  readonly showVehicle: (vehicle: VehicleMark) => void;
  readonly removeVehicle: (vehicleId: string) => void;
  /** A route's remaining stops, in order, drawn from its van's position when known. */
  readonly showRoute: (routeId: string, stops: readonly StopMark[], from: LatLng | undefined) => void;
  readonly removeRoute: (routeId: string) => void;
  /** Frames everything drawn (never after the user moved or zoomed the map). */
  readonly frame: () => void;
  readonly destroy: () => void;
};

const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';

export const createMap = (container: HTMLElement, { onVehicle }: { onVehicle?: (vehicleId: string) => void } = {}): MapView => {
  const map = L.map(container, { center: [52.37, 4.9], zoom: 12, preferCanvas: false, keyboard: true });
  const tiles = meta('meridian-map-tiles');
  if (tiles !== '') L.tileLayer(tiles, { maxZoom: 19, attribution: meta('meridian-map-attribution') }).addTo(map);
  else container.classList.add('map-plain');
  // Vans above their routes' lines and stops, so a click on a van reaches it.
  map.createPane('vehicles').style.zIndex = '450';
  const vehicles = new Map<string, L.CircleMarker>();
  const routes = new Map<string, L.LayerGroup>();
  let framing = false;
  let touched = false;
  map.on('dragstart zoomstart', () => {
    if (!framing) touched = true;
  });

  const markElement = (marker: L.CircleMarker, vehicle: VehicleMark) => {
    const element = marker.getElement();
    if (element === undefined) return;
    element.setAttribute('data-vehicle-id', vehicle.vehicleId);
    element.setAttribute('data-lat', String(vehicle.lat));
    element.setAttribute('data-lng', String(vehicle.lng));
    element.setAttribute('aria-label', vehicle.label);
  };

  return {
    showVehicle: (vehicle) => {
      const existing = vehicles.get(vehicle.vehicleId);
      const style = { radius: 9, color: '#ffffff', weight: 2, fillColor: vehicle.colour, fillOpacity: 1, className: 'vehicle-mark' };
      const marker = existing ?? L.circleMarker([vehicle.lat, vehicle.lng], { ...style, pane: 'vehicles' }).addTo(map);
      marker.setLatLng([vehicle.lat, vehicle.lng]).setStyle(style);
      // Its name always beside it; the whole label on hover and for assistive tools.
      marker
        .unbindTooltip()
        .bindTooltip(vehicle.vehicleId, { permanent: true, direction: 'right', offset: [10, 0], className: 'vehicle-label' });
      if (existing === undefined) {
        vehicles.set(vehicle.vehicleId, marker);
        if (onVehicle !== undefined) marker.on('click', () => onVehicle(vehicle.vehicleId));
      }
      markElement(marker, vehicle);
    },
    removeVehicle: (vehicleId) => {
      vehicles.get(vehicleId)?.remove();
      vehicles.delete(vehicleId);
    },
    showRoute: (routeId, stops, from) => {
      routes.get(routeId)?.remove();
      const group = L.layerGroup().addTo(map);
      const points: L.LatLngTuple[] = [...(from === undefined ? [] : [from]), ...stops].map((point): L.LatLngTuple => [
        point.lat,
        point.lng,
      ]);
      if (points.length > 1)
        L.polyline(points, { color: '#57606a', weight: 2, dashArray: '4 6', className: 'route-line', interactive: false }).addTo(group);
      for (const stop of stops)
        L.circleMarker([stop.lat, stop.lng], {
          radius: 5,
          color: '#24292f',
          weight: 2,
          fillColor: '#ffffff',
          fillOpacity: 1,
          className: 'stop-mark',
        })
          .bindTooltip(stop.label)
          .addTo(group);
      routes.set(routeId, group);
    },
    removeRoute: (routeId) => {
      routes.get(routeId)?.remove();
      routes.delete(routeId);
    },
    frame: () => {
      if (touched) return;
      const bounds = L.latLngBounds([]);
      vehicles.forEach((marker) => bounds.extend(marker.getLatLng()));
      routes.forEach((group) => group.eachLayer((layer) => layer instanceof L.CircleMarker && bounds.extend(layer.getLatLng())));
      if (!bounds.isValid()) return;
      framing = true;
      map.fitBounds(bounds.pad(0.2), { maxZoom: 15, animate: false });
      framing = false;
    },
    destroy: () => map.remove(),
  };
};

// The tracking page a recipient opens from a link (/track/<token>): one parcel's status, its ETA when there
// is one, and while it is out for delivery the van on a map, moving as it reports; no key, nothing else. A
// changed or expired link is refused by the API, and the page says so.
import { createApi, dataOf } from './api.ts';
import { dateTime, fill, h, time, words } from './dom.ts';
import { createMap, type MapView } from './map.ts';
import './styles.css';

type TrackingView = {
  parcelId: string;
  status: string;
  updatedAt: string;
  eta: string | null;
  van: { lat: number; lng: number; recordedAt: string } | null;
  expiresAt: string;
};

const messages: Readonly<Record<string, string>> = {
  Registered: 'We have your parcel and will plan its delivery.',
  AssignedToRoute: 'Your parcel is planned on a delivery route.',
  Loaded: 'Your parcel is in the van.',
  OutForDelivery: 'Your parcel is on its way to you.',
  AttemptFailed: 'We could not deliver your parcel; we will try again.',
  Delivered: 'Your parcel has been delivered.',
  ReturnedToDepot: 'Your parcel went back to the depot.',
  Cancelled: 'This delivery was cancelled.',
};

const token = decodeURIComponent(location.pathname.replace(/^\/track\//, ''));
const api = createApi(null);
const root = document.getElementById('app') ?? document.body;
const status = h('p', { class: 'track-status', role: 'status', 'aria-live': 'polite' });
const details = h('dl', { class: 'facts' });
const mapElement = h('div', { class: 'map track-map', role: 'region', 'aria-label': 'Where the van is', hidden: true });
const main = h('main', { id: 'main', class: 'track' }, h('h1', {}, 'Your parcel'), status, details, mapElement);
fill(root, main);

let map: MapView | undefined;

const render = (view: TrackingView) => {
  fill(status, h('strong', { 'data-status': view.status }, words(view.status)), ' ', messages[view.status] ?? '');
  fill(
    details,
    h('dt', {}, 'Parcel'),
    h('dd', {}, view.parcelId),
    h('dt', {}, 'Expected'),
    h('dd', { class: 'eta' }, view.eta === null ? 'no estimate yet' : dateTime(view.eta)),
    h('dt', {}, 'Last update'),
    h('dd', {}, dateTime(view.updatedAt)),
    ...(view.van === null ? [] : [h('dt', {}, 'Van seen at'), h('dd', {}, time(view.van.recordedAt))]),
  );
  mapElement.hidden = view.van === null;
  if (view.van === null) return;
  map ??= createMap(mapElement);
  map.showVehicle({
    vehicleId: 'van',
    lat: view.van.lat,
    lng: view.van.lng,
    colour: '#0550ae',
    label: `The van, at ${time(view.van.recordedAt)}`,
  });
  map.frame();
};

const refused = (statusCode: number) =>
  fill(
    main,
    h('h1', {}, 'Track your parcel'),
    h(
      'p',
      { class: 'notice notice-error', role: 'alert' },
      statusCode === 410
        ? 'This tracking link has expired. Ask the sender for a new one.'
        : statusCode === 404
          ? 'We cannot find the parcel of this link.'
          : 'This tracking link is not valid. Check that you opened the whole link, or ask the sender for it again.',
    ),
  );

api.follow(`/v1/tracking/${encodeURIComponent(token)}/events`, {
  onEvent: (event) => render(dataOf<TrackingView>(event)),
  onRefused: (error) => refused(error.status),
});

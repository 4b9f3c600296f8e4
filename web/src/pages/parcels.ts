// Parcels: a search by id, filters (status, client, route, SLA breached) and the list following live; and one
// parcel: its status, timeline, proof of delivery, ETA when there is one, its webhook deliveries, and a
// tracking link for its recipient. A client key sees only its own parcels: the API decides, not the page.
import { ApiError, dataOf, type Api, type Page } from '../api.ts';
import { dateTime, fill, h, time, words } from '../dom.ts';
import { can, errorText, liveIndicator, notice, type PageFactory } from '../page.ts';
import { parcelEtaOf, type ParcelStatusView } from '../views.ts';

const statuses = [
  'Registered',
  'AssignedToRoute',
  'Loaded',
  'OutForDelivery',
  'AttemptFailed',
  'Delivered',
  'ReturnedToDepot',
  'Cancelled',
];

const parcelLink = (parcelId: string) => h('a', { href: `#/parcels/${encodeURIComponent(parcelId)}` }, parcelId);

const field = (label: string, control: HTMLInputElement | HTMLSelectElement) =>
  h('div', { class: 'field' }, h('label', { for: control.id }, label), control);

const select = (id: string, options: readonly (readonly [string, string])[], chosen: string) =>
  h('select', { id, name: id }, ...options.map(([value, label]) => h('option', { value, selected: value === chosen }, label)));

type Filter = { status: string; clientId: string; routeId: string; slaBreached: string };

const matches = (filter: Filter, parcel: ParcelStatusView) =>
  (filter.status === '' || parcel.status === filter.status) &&
  (filter.clientId === '' || parcel.clientId === filter.clientId) &&
  (filter.routeId === '' || parcel.routeId === filter.routeId) &&
  (filter.slaBreached === '' || String(parcel.slaBreached) === filter.slaBreached);

export const parcelsPage: PageFactory = ({ api, me, query, host }) => {
  const filter: Filter = {
    status: query.get('status') ?? '',
    clientId: query.get('clientId') ?? '',
    routeId: query.get('routeId') ?? '',
    slaBreached: query.get('slaBreached') ?? '',
  };
  const indicator = liveIndicator();
  const search = h('input', { id: 'parcel-search', type: 'search', autocomplete: 'off', placeholder: 'parcel id' });
  const status = select('status', [['', 'any'], ...statuses.map((s) => [s, words(s)] as const)], filter.status);
  const client = h('input', { id: 'clientId', type: 'text', value: filter.clientId, autocomplete: 'off' });
  const route = h('input', { id: 'routeId', type: 'text', value: filter.routeId, autocomplete: 'off' });
  const sla = select(
    'slaBreached',
    [
      ['', 'any'],
      ['true', 'breached'],
      ['false', 'on time'],
    ],
    filter.slaBreached,
  );
  const rows = h('tbody');
  const messages = h('div');
  const apply = (event: Event) => {
    event.preventDefault();
    const chosen = new URLSearchParams(
      Object.entries({ status: status.value, clientId: client.value.trim(), routeId: route.value.trim(), slaBreached: sla.value }).filter(
        ([, v]) => v !== '',
      ),
    );
    location.hash = `#/parcels${chosen.size === 0 ? '' : `?${chosen}`}`;
  };
  host.append(
    h(
      'section',
      { class: 'page parcels' },
      h('h1', {}, can(me, 'client') ? 'Your parcels' : 'Parcels'),
      h(
        'form',
        {
          class: 'search',
          role: 'search',
          onsubmit: (event: Event) => {
            event.preventDefault();
            if (search.value.trim() !== '') location.hash = `#/parcels/${encodeURIComponent(search.value.trim())}`;
          },
        },
        field('Find a parcel by id', search),
        h('button', { type: 'submit' }, 'Open'),
      ),
      h(
        'form',
        { class: 'filters', onsubmit: apply, 'aria-label': 'Filters' },
        field('Status', status),
        can(me, 'client') ? null : field('Client', client),
        field('Route', route),
        field('SLA', sla),
        h('button', { type: 'submit' }, 'Filter'),
      ),
      indicator.element,
      messages,
      h(
        'table',
        { class: 'parcel-list' },
        h('caption', {}, 'Parcels, most recently changed first'),
        h(
          'thead',
          {},
          h('tr', {}, ...['Parcel', 'Client', 'Status', 'Route', 'SLA', 'ETA', 'Updated'].map((name) => h('th', { scope: 'col' }, name))),
        ),
        rows,
      ),
    ),
  );
  const parcels = new Map<string, ParcelStatusView>();
  const render = () =>
    fill(
      rows,
      ...[...parcels.values()]
        .filter((parcel) => matches(filter, parcel))
        .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
        .map((parcel) =>
          h(
            'tr',
            { 'data-parcel-id': parcel.parcelId },
            h('th', { scope: 'row' }, parcelLink(parcel.parcelId)),
            h('td', {}, parcel.clientId),
            h('td', { class: 'status' }, words(parcel.status)),
            h('td', {}, parcel.routeId ?? '—'),
            h('td', {}, parcel.slaBreached ? h('strong', { class: 'breached' }, 'breached') : 'on time'),
            h('td', {}, time(parcelEtaOf(parcel))),
            h('td', {}, dateTime(parcel.updatedAt)),
          ),
        ),
    );
  // The API narrows by a client and one of route, SLA or status (each combination needs its index); the
  // page applies the others to what comes, as it does to every change.
  const narrowest = (['routeId', 'slaBreached', 'status'] as const).find((name) => filter[name] !== '');
  const asked = new URLSearchParams({
    ...(filter.clientId !== '' && { clientId: filter.clientId }),
    ...(narrowest !== undefined && { [narrowest]: filter[narrowest] }),
    limit: '200',
  });
  const stop = api.follow(`/v1/parcels/stream?${asked}`, {
    onOpen: () => {
      parcels.clear();
      indicator.live();
    },
    onDisconnect: indicator.lost,
    onRefused: (error) => fill(messages, notice(error.message, 'error')),
    onEvent: (event) => {
      const parcel = dataOf<ParcelStatusView>(event);
      parcels.set(parcel.parcelId, parcel);
      render();
    },
  });
  return { title: 'Parcels', stop };
};

type Delivery = {
  webhookId: string;
  endpointId: string;
  eventType: string;
  parcelId: string;
  status: string;
  attemptCount: number;
  updatedAt: string;
};
type Endpoint = {
  endpointId: string;
  url: string;
  clientId: string;
  enabled: boolean;
  failingSince: string | null;
  disabledReason: string | null;
};

/** The parcel's webhook deliveries: each endpoint of its client, the deliveries that carried this parcel. */
const webhookDeliveries = async (api: Api, parcel: ParcelStatusView, owner: boolean): Promise<Node> => {
  try {
    const endpoints = await api.get<Page<Endpoint>>(
      `/v1/webhooks/endpoints?limit=200${owner ? '' : `&clientId=${encodeURIComponent(parcel.clientId)}`}`,
    );
    const found = await Promise.all(
      endpoints.items.map(async (endpoint) => ({
        endpoint,
        deliveries: (
          await api.get<Page<Delivery>>(`/v1/webhooks/endpoints/${encodeURIComponent(endpoint.endpointId)}/deliveries?limit=200`)
        ).items.filter((delivery) => delivery.parcelId === parcel.parcelId),
      })),
    );
    const rows = found.flatMap(({ endpoint, deliveries }) =>
      deliveries.map((delivery) =>
        h(
          'tr',
          {},
          h('td', {}, endpoint.url),
          h('td', {}, delivery.eventType),
          h('td', {}, delivery.status),
          h('td', {}, delivery.attemptCount),
          h('td', {}, dateTime(delivery.updatedAt)),
        ),
      ),
    );
    if (rows.length === 0)
      return notice(endpoints.items.length === 0 ? 'The client has no webhook endpoints.' : 'No webhook delivery carried this parcel yet.');
    return h(
      'table',
      {},
      h('caption', {}, 'Webhook deliveries of this parcel (the latest 200 of each endpoint)'),
      h('thead', {}, h('tr', {}, ...['Endpoint', 'Event', 'Status', 'Attempts', 'Updated'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, ...rows),
    );
  } catch (error) {
    return notice(error instanceof ApiError && error.status === 404 ? 'Webhooks are not served here.' : errorText(error));
  }
};

export const parcelPage: PageFactory = ({ api, me, params, host }) => {
  const parcelId = params['parcelId'] ?? '';
  const indicator = liveIndicator();
  const messages = h('div');
  const facts = h('dl', { class: 'facts' });
  const proof = h('div');
  const timeline = h('ol', { class: 'timeline', 'aria-label': 'Timeline' });
  const deliveries = h('div');
  const tracking = h('div', { class: 'tracking-link' });
  const canTrack = can(me, 'client', 'admin', 'dispatcher');
  host.append(
    h(
      'section',
      { class: 'page parcel' },
      h('h1', {}, `Parcel ${parcelId}`),
      indicator.element,
      messages,
      facts,
      h('h2', {}, 'Proof of delivery'),
      proof,
      h('h2', {}, 'Timeline'),
      timeline,
      ...(canTrack
        ? [
            h('h2', {}, 'Tracking link for the recipient'),
            h(
              'button',
              {
                type: 'button',
                onclick: () =>
                  api
                    .post<{ url: string; expiresAt: string }>(`/v1/parcels/${encodeURIComponent(parcelId)}/tracking-links`, {})
                    .then(({ url, expiresAt }) =>
                      fill(
                        tracking,
                        h('label', { for: 'tracking-url' }, `Valid until ${dateTime(expiresAt)}:`),
                        h('input', { id: 'tracking-url', type: 'text', readonly: true, value: url }),
                        h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Open'),
                      ),
                    )
                    .catch((error: unknown) => fill(tracking, notice(errorText(error), 'error'))),
              },
              'Make a tracking link',
            ),
            tracking,
          ]
        : []),
      ...(can(me, 'client', 'admin') ? [h('h2', {}, 'Webhook deliveries'), deliveries] : []),
    ),
  );
  const fact = (term: string, value: Node | string) => [h('dt', {}, term), h('dd', {}, value)];
  let deliveriesShown = false;
  const photo = h('figure', { class: 'proof-image' });
  let imageShown: string | undefined;
  /** The proof image, fetched with the key (its thumbnail once made, the image until then), once per image. */
  const showProofImage = (parcel: ParcelStatusView) => {
    const image = parcel.proofImage;
    if (image === undefined || imageShown === image.sha256) return;
    imageShown = image.sha256;
    const shown = (blob: Blob, what: string) =>
      fill(
        photo,
        h('img', { src: URL.createObjectURL(blob), alt: `Proof of delivery of ${parcel.parcelId} (${what})`, 'data-sha256': image.sha256 }),
        h('figcaption', {}, `${what}, received ${dateTime(image.receivedAt)}`),
      );
    api
      .blob(image.links.thumbnail)
      .then((blob) => shown(blob, 'thumbnail'))
      .catch(() => api.blob(image.links.image).then((blob) => shown(blob, 'photo')))
      .catch((error: unknown) => fill(photo, notice(errorText(error), 'error')));
  };
  const render = (parcel: ParcelStatusView) => {
    fill(
      facts,
      ...fact('Status', h('strong', { class: 'status', 'data-status': parcel.status }, words(parcel.status))),
      ...fact('Client', parcel.clientId),
      ...fact('Recipient', parcel.recipientName),
      ...fact(
        'Address',
        `${parcel.address.line1}${parcel.address.line2 ? `, ${parcel.address.line2}` : ''}, ${parcel.address.postalCode} ${parcel.address.city}, ${parcel.address.country}`,
      ),
      ...fact('Weight', `${parcel.weightKg} kg`),
      ...fact('SLA', `${dateTime(parcel.slaDeadline)}${parcel.slaBreached ? ` (breached at ${dateTime(parcel.breachedAt)})` : ''}`),
      ...fact('ETA', parcelEtaOf(parcel) === null ? 'not estimated' : dateTime(parcelEtaOf(parcel))),
      ...fact(
        'Route',
        parcel.routeId === null ? 'none' : h('a', { href: `#/routes/${encodeURIComponent(parcel.routeId)}` }, parcel.routeId),
      ),
      ...fact('Vehicle', parcel.vehicleId ?? 'none'),
      ...fact('Attempts', String(parcel.attempts)),
      ...(parcel.lastFailure === null
        ? []
        : fact(
            'Last failure',
            `${words(parcel.lastFailure.reason)} at ${dateTime(parcel.lastFailure.at)}, ${parcel.lastFailure.attemptsLeft} attempts left`,
          )),
    );
    const pod = parcel.proofOfDelivery;
    fill(
      proof,
      pod === null
        ? notice('Not delivered yet.')
        : h(
            'dl',
            { class: 'facts' },
            ...fact('Kind', pod.kind),
            ...fact('Reference', pod.reference),
            ...fact('Received by', pod.receivedBy ?? '—'),
            ...fact('Delivered at', dateTime(pod.deliveredAt)),
            ...fact('Where', `${pod.location.lat.toFixed(5)}, ${pod.location.lng.toFixed(5)}`),
          ),
      photo,
    );
    showProofImage(parcel);
    fill(
      timeline,
      ...parcel.timeline.map((entry) =>
        h('li', { 'data-type': entry.type }, h('time', { datetime: entry.at }, dateTime(entry.at)), ' ', entry.type),
      ),
    );
    if (!deliveriesShown && can(me, 'client', 'admin')) {
      deliveriesShown = true;
      void webhookDeliveries(api, parcel, can(me, 'client')).then((node) => fill(deliveries, node));
    }
  };
  const stop = api.follow(`/v1/parcels/${encodeURIComponent(parcelId)}/events`, {
    onOpen: indicator.live,
    onDisconnect: indicator.lost,
    onRefused: (error) => fill(messages, notice(error.message, 'error')),
    onEvent: (event) => render(dataOf<ParcelStatusView>(event)),
  });
  return { title: `Parcel ${parcelId}`, stop };
};

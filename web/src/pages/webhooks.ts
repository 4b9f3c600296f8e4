// A client's webhook endpoints and their delivery log (an admin sees every client's), as the page opens or
// is refreshed: the endpoints API has no live stream.
import { ApiError, type Page } from '../api.ts';
import { dateTime, fill, h } from '../dom.ts';
import { errorText, notice, type PageFactory } from '../page.ts';

type Endpoint = {
  endpointId: string;
  clientId: string;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  eventTypes: readonly string[];
};
type Delivery = {
  webhookId: string;
  eventType: string;
  parcelId: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  updatedAt: string;
};

export const webhooksPage: PageFactory = ({ api, host }) => {
  const body = h('div');
  const refresh = h('button', { type: 'button' }, 'Refresh');
  host.append(h('section', { class: 'page webhooks' }, h('h1', {}, 'Webhook endpoints'), refresh, body));
  const load = async () => {
    const { items } = await api.get<Page<Endpoint>>('/v1/webhooks/endpoints?limit=200');
    if (items.length === 0) return fill(body, notice('No webhook endpoints yet (POST /v1/webhooks/endpoints makes one).'));
    const sections = await Promise.all(
      items.map(async (endpoint) => {
        const deliveries = await api.get<Page<Delivery>>(
          `/v1/webhooks/endpoints/${encodeURIComponent(endpoint.endpointId)}/deliveries?limit=50`,
        );
        return h(
          'section',
          { class: 'endpoint', 'data-endpoint-id': endpoint.endpointId },
          h('h2', {}, endpoint.url),
          h(
            'p',
            {},
            `${endpoint.enabled ? (endpoint.failingSince === null ? 'Enabled' : `Failing since ${dateTime(endpoint.failingSince)}`) : `Disabled: ${endpoint.disabledReason ?? 'by its owner'}`}; client ${endpoint.clientId}; events ${endpoint.eventTypes.join(', ')}`,
          ),
          h(
            'table',
            {},
            h('caption', {}, 'The latest deliveries'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['Event', 'Parcel', 'Status', 'Attempts', 'Next attempt', 'Updated'].map((name) => h('th', { scope: 'col' }, name)),
              ),
            ),
            h(
              'tbody',
              {},
              ...deliveries.items.map((d) =>
                h(
                  'tr',
                  {},
                  h('td', {}, d.eventType),
                  h('td', {}, h('a', { href: `#/parcels/${encodeURIComponent(d.parcelId)}` }, d.parcelId)),
                  h('td', {}, d.status),
                  h('td', {}, d.attemptCount),
                  h('td', {}, dateTime(d.nextAttemptAt)),
                  h('td', {}, dateTime(d.updatedAt)),
                ),
              ),
            ),
          ),
        );
      }),
    );
    fill(body, ...sections);
  };
  const show = () =>
    load().catch((error: unknown) =>
      fill(body, notice(error instanceof ApiError && error.status === 404 ? 'Webhooks are not served here.' : errorText(error), 'error')),
    );
  refresh.addEventListener('click', () => void show());
  void show();
  return { title: 'Webhooks' };
};

// Operations (admin): the health an operator looks at first (the log's head, consumers behind or late, dead
// letters, the telemetry queues), each consumer's position and lag, the dead letters of each with a redrive,
// and the webhook endpoints failing or disabled. Live from the operations stream.
import { ApiError, dataOf, type Page } from '../api.ts';
import { dateTime, fill, h } from '../dom.ts';
import { errorText, liveIndicator, notice, type PageFactory } from '../page.ts';

type Consumer = {
  name: string;
  checkpoint?: number;
  position: number;
  behind: number | null;
  lagMs?: number;
  appliedAt?: string;
  eventsApplied: number;
  deadLetters: number | null;
};
type Overview = {
  at: string;
  headPosition: number | null;
  consumers: readonly Consumer[];
  deadLetters: Readonly<Record<string, number>>;
  telemetry: readonly { consumer: string; held: number; capacity: number }[];
};
type Letter = {
  eventId: string | null;
  eventType: string | null;
  streamId: string | null;
  globalPosition: number | null;
  reason: string;
  attempts: number | null;
  deadLetteredAt: string | null;
};
type Endpoint = {
  endpointId: string;
  clientId: string;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
};

const table = (caption: string, columns: readonly string[], rows: readonly Node[], attributes: Record<string, string> = {}) =>
  h(
    'table',
    attributes,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...columns.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, ...rows),
  );

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

export const operationsPage: PageFactory = ({ api, host }) => {
  const indicator = liveIndicator();
  const health = h('div', { class: 'health' });
  const consumers = h('div');
  const letters = h('div', { class: 'dead-letters' });
  // Outside the letters' tables, which are drawn again when their counts change.
  const redriven = h('p', { class: 'redriven', role: 'status', 'aria-live': 'polite' });
  const telemetry = h('div');
  const endpoints = h('div');
  host.append(
    h(
      'section',
      { class: 'page operations' },
      h('h1', {}, 'Operations'),
      indicator.element,
      h('h2', {}, 'Health'),
      health,
      h('h2', {}, 'Consumers'),
      consumers,
      h('h2', {}, 'Dead letters'),
      redriven,
      letters,
      h('h2', {}, 'Telemetry queues'),
      telemetry,
      h('h2', {}, 'Webhook endpoints failing or disabled'),
      endpoints,
    ),
  );

  const shownCounts = new Map<string, number>();
  const letterSections = new Map<string, HTMLElement>();
  const showLetters = async (consumer: string, count: number) => {
    const section = letterSections.get(consumer) ?? h('section', { class: 'consumer-letters', 'data-consumer': consumer });
    if (!letterSections.has(consumer)) {
      letterSections.set(consumer, section);
      letters.append(section);
    }
    if (count === 0) return fill(section);
    const { items } = await api.get<{ items: readonly Letter[] }>(`/v1/dead-letters/${encodeURIComponent(consumer)}`);
    const redrive = h('button', { type: 'button' }, `Redrive ${consumer}`);
    redrive.addEventListener('click', () => {
      redrive.disabled = true;
      api
        .post<{ redriven: number; remaining: number }>(`/v1/dead-letters/${encodeURIComponent(consumer)}/redrive`)
        .then((outcome) => fill(redriven, `${consumer}: redriven ${outcome.redriven}; ${outcome.remaining} still failing.`))
        .catch((error: unknown) => fill(redriven, notice(errorText(error), 'error')))
        .finally(() => (redrive.disabled = false));
    });
    fill(
      section,
      table(
        `${consumer}: ${items.length} dead letter${items.length === 1 ? '' : 's'}`,
        ['Event', 'Stream', 'Position', 'Reason', 'Attempts', 'Dead since'],
        items.map((letter) =>
          h(
            'tr',
            { 'data-event-id': letter.eventId ?? '' },
            h('td', {}, letter.eventType ?? '?'),
            h('td', {}, letter.streamId ?? '?'),
            h('td', {}, letter.globalPosition ?? '—'),
            h('td', {}, letter.reason),
            h('td', {}, letter.attempts ?? '—'),
            h('td', {}, dateTime(letter.deadLetteredAt)),
          ),
        ),
      ),
      redrive,
    );
  };

  const render = (overview: Overview) => {
    const total = Object.values(overview.deadLetters).reduce((sum, n) => sum + n, 0);
    const behind = overview.consumers.filter((c) => (c.behind ?? 0) > 0).length;
    const queued = overview.telemetry.reduce((sum, q) => sum + q.held, 0);
    fill(
      health,
      h(
        'ul',
        { class: 'health-list' },
        h('li', {}, `Log head: ${overview.headPosition ?? 'not known here'}`),
        h('li', { class: behind > 0 ? 'warn' : 'ok' }, `${behind} consumer${behind === 1 ? '' : 's'} behind the head`),
        h('li', { class: total > 0 ? 'warn' : 'ok', 'data-dead-letters': total }, `${total} dead letter${total === 1 ? '' : 's'}`),
        h('li', {}, `${queued} pings queued`),
        h('li', {}, `As of ${dateTime(overview.at)}`),
      ),
    );
    fill(
      consumers,
      overview.consumers.length === 0
        ? notice('This process runs no consumers it can report on.')
        : table(
            'Where each consumer stands',
            ['Consumer', 'Checkpoint', 'Last applied', 'Behind', 'Lag', 'Applied at', 'Dead letters'],
            overview.consumers.map((c) =>
              h(
                'tr',
                { 'data-consumer': c.name },
                h('th', { scope: 'row' }, c.name),
                h('td', {}, c.checkpoint ?? '—'),
                h('td', {}, c.position),
                h('td', {}, c.behind ?? '—'),
                h('td', {}, seconds(c.lagMs)),
                h('td', {}, dateTime(c.appliedAt)),
                h('td', {}, c.deadLetters ?? '—'),
              ),
            ),
          ),
    );
    if (Object.keys(overview.deadLetters).length === 0) fill(letters, notice('This wiring keeps no dead letters the API can reach.'));
    for (const [consumer, count] of Object.entries(overview.deadLetters))
      if (shownCounts.get(consumer) !== count) {
        shownCounts.set(consumer, count);
        void showLetters(consumer, count).catch((error: unknown) => letters.append(notice(errorText(error), 'error')));
      }
    if (total === 0 && !letters.querySelector('.none')) letters.prepend(h('p', { class: 'none' }, 'No dead letters.'));
    if (total > 0) letters.querySelector('.none')?.remove();
    fill(
      telemetry,
      table(
        'Pings held by each telemetry queue',
        ['Consumer', 'Held', 'Capacity'],
        overview.telemetry.map((q) => h('tr', {}, h('th', { scope: 'row' }, q.consumer), h('td', {}, q.held), h('td', {}, q.capacity))),
      ),
    );
  };

  api
    .get<Page<Endpoint>>('/v1/webhooks/endpoints?limit=200')
    .then(({ items }) => {
      const troubled = items.filter((endpoint) => !endpoint.enabled || endpoint.failingSince !== null);
      fill(
        endpoints,
        troubled.length === 0
          ? notice(`All ${items.length} endpoints are enabled and delivering.`)
          : table(
              'Endpoints failing or disabled (as the page opened)',
              ['Endpoint', 'Client', 'URL', 'State'],
              troubled.map((endpoint) =>
                h(
                  'tr',
                  {},
                  h('td', {}, endpoint.endpointId),
                  h('td', {}, endpoint.clientId),
                  h('td', {}, endpoint.url),
                  h(
                    'td',
                    {},
                    endpoint.enabled
                      ? `failing since ${dateTime(endpoint.failingSince)}`
                      : `disabled: ${endpoint.disabledReason ?? 'by its owner'}`,
                  ),
                ),
              ),
            ),
      );
    })
    .catch((error: unknown) =>
      fill(endpoints, notice(error instanceof ApiError && error.status === 404 ? 'Webhooks are not served here.' : errorText(error))),
    );

  const stop = api.follow('/v1/operations/stream', {
    onOpen: indicator.live,
    onDisconnect: indicator.lost,
    onRefused: (error) => fill(health, notice(error.message, 'error')),
    onEvent: (event) => render(dataOf<Overview>(event)),
  });
  return { title: 'Operations', stop };
};

// Dispatch windows: the windows most recently opened, and one window live as its saga runs: what was asked,
// the phase it is in, its routes with their offers, each parcel not dispatched with why, and its timeline
// (the saga's facts and steps, newest first) growing as it goes. One SSE stream feeds the window's page.
import { ApiError, dataOf } from '../api.ts';
import { dateTime, fill, h, time, words } from '../dom.ts';
import { errorText, liveIndicator, notice, type PageFactory } from '../page.ts';
import type { DispatchTimelineEntry, DispatchWindowView } from '../views.ts';

const windowLink = (windowId: string) => h('a', { href: `#/dispatch/${encodeURIComponent(windowId)}` }, windowId);

const table = (caption: string, columns: readonly string[], body: HTMLTableSectionElement) =>
  h('table', {}, h('caption', {}, caption), h('thead', {}, h('tr', {}, ...columns.map((name) => h('th', { scope: 'col' }, name)))), body);

export const dispatchWindowsPage: PageFactory = ({ api, host }) => {
  const indicator = liveIndicator();
  const rows = h('tbody');
  const messages = h('div');
  host.append(
    h(
      'section',
      { class: 'page dispatch' },
      h('h1', {}, 'Dispatch windows'),
      indicator.element,
      messages,
      table('Windows, most recently opened first', ['Window', 'Phase', 'Depot', 'Window', 'Parcels', 'Vans', 'Routes', 'Opened'], rows),
    ),
  );
  const windows = new Map<string, DispatchWindowView>();
  const render = () =>
    fill(
      rows,
      ...[...windows.values()]
        .sort((a, b) => (a.openedAt < b.openedAt ? 1 : -1))
        .map((window) =>
          h(
            'tr',
            { 'data-window-id': window.windowId, 'data-phase': window.phase },
            h('th', { scope: 'row' }, windowLink(window.windowId)),
            h('td', {}, words(window.phase)),
            h('td', {}, window.depotId),
            h('td', {}, `${time(window.from)}–${time(window.to)}`),
            h('td', {}, String(window.parcelCount)),
            h('td', {}, String(window.vehicleIds.length)),
            h('td', {}, `${window.progress?.routesConfirmed ?? 0} confirmed of ${window.progress?.routesPlanned ?? 0}`),
            h('td', {}, dateTime(window.openedAt)),
          ),
        ),
    );
  const stop = api.follow('/v1/dispatch/windows/stream', {
    onOpen: indicator.live,
    onDisconnect: indicator.lost,
    onRefused: (error) => fill(messages, notice(errorText(error), 'error')),
    onEvent: (event) => {
      const window = dataOf<DispatchWindowView>(event);
      windows.set(window.windowId, window);
      render();
    },
  });
  return { title: 'Dispatch windows', stop };
};

/** A step as one line: what it answered or what it knows, with the commands, timers and activities it asked for. */
const stepLine = (entry: DispatchTimelineEntry): string => {
  if (entry.kind === 'event') return words(entry.what);
  const detail = typeof entry.detail === 'object' && entry.detail !== null ? entry.detail : {};
  const asked = (field: string) => {
    const value: unknown = Object.getOwnPropertyDescriptor(detail, field)?.value;
    return Array.isArray(value) ? value.length : 0;
  };
  const parts = [
    asked('commands') > 0 && `${asked('commands')} command(s)`,
    asked('timers') > 0 && `${asked('timers')} timer(s)`,
    asked('activities') > 0 && `${asked('activities')} activity(ies)`,
  ].filter((part): part is string => typeof part === 'string');
  return `${entry.what}${parts.length > 0 ? ` → ${parts.join(', ')}` : ''}`;
};

export const dispatchWindowPage: PageFactory = ({ api, params, host }) => {
  const windowId = params['windowId'] ?? '';
  const indicator = liveIndicator();
  const summary = h('dl', { class: 'facts' });
  const routeRows = h('tbody');
  const left = h('div');
  const steps = h('ol', { class: 'timeline', reversed: true, 'aria-label': 'Timeline, newest first' });
  const messages = h('div');
  host.append(
    h(
      'section',
      { class: 'page dispatch-window' },
      h('h1', {}, `Dispatch window ${windowId}`),
      indicator.element,
      messages,
      summary,
      table('Routes of the plan', ['Route', 'Status', 'Vehicle', 'Driver', 'Parcels', 'Offers', 'Offer ends'], routeRows),
      left,
      h('h2', {}, 'Timeline'),
      steps,
    ),
  );
  const fact = (term: string, value: string) => [h('dt', {}, term), h('dd', {}, value)];
  const renderWindow = (window: DispatchWindowView) => {
    const progress = window.progress;
    fill(
      summary,
      ...fact('Phase', words(window.phase)),
      ...fact('Depot', window.depotId),
      ...fact('Window', `${time(window.from)}–${time(window.to)}`),
      ...fact('Parcels', String(window.parcelCount)),
      ...fact(
        'Vans',
        `${progress?.vehiclesSecured ?? 0} reserved of ${window.vehicleIds.length}, ${progress?.vehiclesUnavailable ?? 0} unavailable`,
      ),
      ...fact(
        'Optimizer',
        progress === null
          ? '—'
          : `${progress.optimizerAttempts} attempt(s)${progress.optimizerError === null ? '' : `, last failed: ${progress.optimizerError}`}`,
      ),
      ...fact(
        'Routes',
        `${progress?.routesConfirmed ?? 0} confirmed of ${progress?.routesPlanned ?? 0} planned, ${progress?.routesDropped ?? 0} dropped`,
      ),
      ...fact(
        'Outcome',
        progress?.outcome == null ? '—' : `${words(progress.outcome)}: ${progress.parcelsDispatched ?? 0} parcels dispatched`,
      ),
    );
    fill(
      routeRows,
      ...window.routes.map((route) =>
        h(
          'tr',
          { 'data-route-id': route.routeId, 'data-status': route.status },
          h('th', { scope: 'row' }, h('a', { href: `#/routes/${encodeURIComponent(route.routeId)}` }, route.routeId)),
          h('td', {}, words(route.status)),
          h('td', {}, route.vehicleId),
          h('td', {}, route.driverId ?? '—'),
          h('td', {}, String(route.parcelIds.length)),
          h('td', {}, `${route.offers} (${route.declines} declined, ${route.timeouts} timed out)`),
          h('td', {}, time(route.offerExpiresAt)),
        ),
      ),
    );
    const notDispatched = progress?.notDispatched ?? [];
    fill(
      left,
      ...(notDispatched.length === 0
        ? []
        : [
            h('h2', {}, 'Not dispatched'),
            h('ul', {}, ...notDispatched.map((parcel) => h('li', {}, `${parcel.parcelId}: ${parcel.reason} (${parcel.detail})`))),
          ]),
    );
  };
  const shown = new Set<number>();
  const addStep = (entry: DispatchTimelineEntry) => {
    // A step sent twice (a change between the stream's watch and its first read) is shown once.
    if (shown.has(entry.revision)) return;
    shown.add(entry.revision);
    const item = h(
      'li',
      { value: entry.revision + 1, 'data-kind': entry.kind },
      h('time', { datetime: entry.recordedAt }, time(entry.recordedAt)),
      ' ',
      stepLine(entry),
    );
    // Newest first: a step goes before the first one older than it.
    const later = [...steps.children].find((child) => Number(child.getAttribute('value')) < entry.revision + 1);
    steps.insertBefore(item, later ?? null);
  };
  const stop = api.follow(`/v1/dispatch/windows/${encodeURIComponent(windowId)}/events`, {
    onOpen: indicator.live,
    onDisconnect: indicator.lost,
    onRefused: (error) =>
      fill(
        messages,
        notice(error instanceof ApiError && error.status === 404 ? `No dispatch window ${windowId}.` : error.message, 'error'),
      ),
    onEvent: (event) => {
      if (event.event === 'step') addStep(dataOf<DispatchTimelineEntry>(event));
      else renderWindow(dataOf<DispatchWindowView>(event));
    },
  });
  return { title: `Dispatch window ${windowId}`, stop };
};

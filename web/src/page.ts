// What every console page is: a function from what it needs (the API, who is signed in, the route's
// parameters, the element to fill) to its title and what to stop when the page is left (its SSE streams).
import type { Api, Me } from './api.ts';
import { h } from './dom.ts';

export type PageContext = {
  readonly api: Api;
  readonly me: Me;
  /** The path's parameters (`#/parcels/:parcelId`) and the hash's query. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Where the page puts itself, in the document already (a map needs its size). */
  readonly host: HTMLElement;
};

export type Page = { readonly title: string; readonly stop?: () => void };

export type PageFactory = (context: PageContext) => Page;

export const can = (me: Me, ...roles: readonly string[]): boolean => me.roles.some((role) => roles.includes(role));

/** A line that says whether a page's live streams are connected (read out politely when it changes). */
export const liveIndicator = () => {
  const element = h('p', { class: 'live', role: 'status', 'aria-live': 'polite' }, 'Connecting…');
  return {
    element,
    live: () => {
      element.textContent = 'Live';
      element.className = 'live live-on';
    },
    lost: () => {
      element.textContent = 'Reconnecting…';
      element.className = 'live live-off';
    },
  };
};

/** A message for the page's reader, as an alert when it is an error. */
export const notice = (text: string, kind: 'error' | 'info' = 'info') =>
  h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

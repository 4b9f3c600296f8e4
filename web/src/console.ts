// The console: sign in with an API key (kept for this tab only), then the pages the key's roles may read,
// chosen by the address's hash (#/map, #/parcels/p-1, ...), so links, the back button and reloads work.
import { ApiError, createApi, forgetKey, storedKey, storeKey, type Api, type Me } from './api.ts';
import { fill, h } from './dom.ts';
import { can, errorText, notice, type Page, type PageFactory } from './page.ts';
import { liveMapPage } from './pages/live-map.ts';
import { operationsPage } from './pages/operations.ts';
import { parcelPage, parcelsPage } from './pages/parcels.ts';
import { dispatchWindowPage, dispatchWindowsPage } from './pages/dispatch.ts';
import { routeBoardPage, routesPage } from './pages/routes.ts';
import { webhooksPage } from './pages/webhooks.ts';
import './styles.css';

type Route = {
  readonly pattern: RegExp;
  readonly page: PageFactory;
  readonly roles: readonly string[];
  /** The navigation's link to the page, for pages without parameters. */
  readonly nav?: { readonly label: string; readonly path: string };
};

const everyone = ['admin', 'dispatcher', 'driver', 'client', 'auditor'];

const routes: readonly Route[] = [
  { pattern: /^\/map$/, page: liveMapPage, roles: ['admin', 'dispatcher'], nav: { label: 'Live map', path: '/map' } },
  {
    pattern: /^\/routes$/,
    page: routesPage,
    roles: ['admin', 'dispatcher', 'driver', 'auditor'],
    nav: { label: 'Routes', path: '/routes' },
  },
  { pattern: /^\/routes\/(?<routeId>[^/]+)$/, page: routeBoardPage, roles: ['admin', 'dispatcher', 'driver', 'auditor'] },
  {
    pattern: /^\/dispatch$/,
    page: dispatchWindowsPage,
    roles: ['admin', 'dispatcher'],
    nav: { label: 'Dispatch windows', path: '/dispatch' },
  },
  { pattern: /^\/dispatch\/(?<windowId>[^/]+)$/, page: dispatchWindowPage, roles: ['admin', 'dispatcher'] },
  { pattern: /^\/parcels$/, page: parcelsPage, roles: everyone, nav: { label: 'Parcels', path: '/parcels' } },
  { pattern: /^\/parcels\/(?<parcelId>[^/]+)$/, page: parcelPage, roles: everyone },
  { pattern: /^\/webhooks$/, page: webhooksPage, roles: ['admin', 'client'], nav: { label: 'Webhooks', path: '/webhooks' } },
  { pattern: /^\/operations$/, page: operationsPage, roles: ['admin'], nav: { label: 'Operations', path: '/operations' } },
];

const home = (me: Me) => (can(me, 'admin', 'dispatcher') ? '/map' : '/parcels');

const app = () => document.getElementById('app') ?? document.body;

const signIn = (message?: string) => {
  const key = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: false });
  const status = h('div');
  const form = h(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Meridian console'),
    h('p', {}, 'Sign in with your API key. It is kept in this tab only, until you sign out or close it.'),
    h('div', { class: 'field' }, h('label', { for: 'api-key' }, 'API key'), key),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const presented = key.value.trim();
    createApi(presented)
      .get<Me>('/v1/me')
      .then(() => {
        storeKey(presented);
        void start();
      })
      .catch((error: unknown) =>
        fill(status, notice(error instanceof ApiError && error.status === 401 ? 'That key is not valid.' : errorText(error), 'error')),
      );
  });
  fill(app(), h('main', { id: 'main' }, form));
  if (message !== undefined) fill(status, notice(message, 'error'));
  key.focus();
};

let current: Page | undefined;

const show = (api: Api, me: Me, main: HTMLElement, nav: HTMLElement) => {
  current?.stop?.();
  current = undefined;
  const [path = '', search = ''] = location.hash.replace(/^#/, '').split('?');
  const found = routes.map((route) => ({ route, match: route.pattern.exec(path) })).find(({ match }) => match !== null);
  if (found === undefined) {
    location.replace(`#${home(me)}`);
    return;
  }
  for (const link of nav.querySelectorAll('a')) link.toggleAttribute('aria-current', link.getAttribute('href') === `#${path}`);
  main.replaceChildren();
  if (!can(me, ...found.route.roles)) {
    main.append(notice(`Your key's role (${me.roles.join(', ')}) may not see this page.`, 'error'));
    return;
  }
  const params = Object.fromEntries(Object.entries(found.match?.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)]));
  current = found.route.page({ api, me, params, query: new URLSearchParams(search), host: main });
  document.title = `${current.title} · Meridian`;
  main.focus({ preventScroll: true });
};

const start = async () => {
  const key = storedKey();
  if (key === null) return signIn();
  const api = createApi(key);
  let me: Me;
  try {
    me = await api.get<Me>('/v1/me');
  } catch (error) {
    forgetKey();
    return signIn(error instanceof ApiError && error.status === 401 ? 'Your key is no longer valid: sign in again.' : errorText(error));
  }
  const nav = h(
    'nav',
    { 'aria-label': 'Pages' },
    h(
      'ul',
      {},
      ...routes
        .flatMap((route) => (route.nav !== undefined && can(me, ...route.roles) ? [route.nav] : []))
        .map((link) => h('li', {}, h('a', { href: `#${link.path}` }, link.label))),
    ),
  );
  const signOut = h('button', { type: 'button', class: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
    current?.stop?.();
    current = undefined;
    forgetKey();
    location.hash = '';
    signIn();
  });
  const main = h('main', { id: 'main', tabindex: -1 });
  fill(
    app(),
    h(
      'a',
      {
        class: 'skip',
        href: '#main',
        // The hash is the page's route: the link moves the focus instead.
        onclick: (event: Event) => {
          event.preventDefault();
          main.focus();
        },
      },
      'Skip to content',
    ),
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, 'Meridian'),
      nav,
      h('span', { class: 'who' }, `${me.principal} (${me.roles.join(', ')}${me.clientId === null ? '' : `, client ${me.clientId}`})`),
      signOut,
    ),
    main,
  );
  window.onhashchange = () => show(api, me, main, nav);
  show(api, me, main, nav);
};

void start();

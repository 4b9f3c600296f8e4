// The two HTML pages: a shell each, that loads its bundle; the map's tile settings travel in meta tags, so
// the same bundle serves every configuration. The policy lets scripts and connections go to this origin only,
// and images to it and the tile server.
import type { WebBundle, WebEntry } from './bundle.ts';

export type PageSettings = {
  /** The tile server's URL template and attribution; null for no tiles (a plain background). */
  readonly tiles: { readonly url: string; readonly attribution: string } | null;
};

const escapeAttribute = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Where tiles come from, as a CSP source: the template's scheme and host, `{s}` as any subdomain. */
export const tileSource = (url: string): string => {
  const match = /^(https?:\/\/[^/]+)/.exec(url);
  return match?.[1] === undefined ? '' : match[1].replaceAll(/\{s\}/g, '*');
};

export const pageSecurityPolicy = ({ tiles }: PageSettings): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    // Leaflet positions its panes and markers with inline styles.
    "style-src 'self' 'unsafe-inline'",
    // blob: the proof-of-delivery photos, fetched with the key and shown from memory (an <img> cannot send a key).
    `img-src 'self' data: blob:${tiles === null ? '' : ` ${tileSource(tiles.url)}`}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

const page = (title: string, entry: WebEntry, { tiles }: PageSettings) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${title}</title>
<meta name="meridian-map-tiles" content="${escapeAttribute(tiles?.url ?? '')}">
<meta name="meridian-map-attribution" content="${escapeAttribute(tiles?.attribution ?? '')}">
${entry.stylesheet === undefined ? '' : `<link rel="stylesheet" href="/assets/${entry.stylesheet}">\n`}<script type="module" src="/assets/${entry.script}"></script>
</head>
<body>
<div id="app"><p class="loading">Loading…</p></div>
<noscript>This page needs JavaScript.</noscript>
</body>
</html>
`;

export const consolePage = (bundle: WebBundle, settings: PageSettings): string => page('Meridian console', bundle.console, settings);

export const trackingPage = (bundle: WebBundle, settings: PageSettings): string => page('Track your parcel', bundle.tracking, settings);

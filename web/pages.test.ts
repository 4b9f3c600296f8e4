import test from 'ava';
import { consolePage, pageSecurityPolicy, tileSource, trackingPage } from './pages.ts';
import type { WebBundle } from './bundle.ts';

const bundle: WebBundle = {
  assets: new Map(),
  console: { script: 'console-AB12.js', stylesheet: 'console-CD34.css' },
  tracking: { script: 'track-EF56.js', stylesheet: undefined },
};

test('the tile server is a CSP source: its scheme and host, {s} as any subdomain', (t) => {
  t.is(tileSource('https://tile.openstreetmap.org/{z}/{x}/{y}.png'), 'https://tile.openstreetmap.org');
  t.is(tileSource('https://{s}.tiles.example.com:8443/{z}/{x}/{y}.png'), 'https://*.tiles.example.com:8443');
});

test('images may come from the tile server only when there is one; scripts and connections from this origin only', (t) => {
  const withTiles = pageSecurityPolicy({ tiles: { url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: '' } });
  t.regex(withTiles, /img-src 'self' data: blob: https:\/\/tile\.openstreetmap\.org;/);
  t.regex(withTiles, /script-src 'self';/);
  t.regex(withTiles, /connect-src 'self';/);
  t.regex(pageSecurityPolicy({ tiles: null }), /img-src 'self' data: blob:;/);
});

test('a page loads its bundle by the hashed names and carries the tile settings, escaped', (t) => {
  const html = consolePage(bundle, { tiles: { url: 'https://t.example/{z}/{x}/{y}.png?a=1&b="2"', attribution: '<b>x</b>' } });
  t.regex(html, /<script type="module" src="\/assets\/console-AB12\.js"><\/script>/);
  t.regex(html, /<link rel="stylesheet" href="\/assets\/console-CD34\.css">/);
  t.regex(html, /content="https:\/\/t\.example\/\{z\}\/\{x\}\/\{y\}\.png\?a=1&amp;b=&quot;2&quot;"/);
  t.regex(html, /content="&lt;b&gt;x&lt;\/b&gt;"/);
  const tracking = trackingPage(bundle, { tiles: null });
  t.regex(tracking, /<title>Track your parcel<\/title>/);
  t.notRegex(tracking, /stylesheet/);
  t.regex(tracking, /name="meridian-map-tiles" content=""/);
});

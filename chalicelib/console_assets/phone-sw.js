// The phone page's service worker (console/build.mjs writes the build's list of files into it). It keeps the
// page's own files so that the page opens without a network: the page itself (network first, the kept copy when
// offline) and the hashed scripts, languages, stylesheet and icon (from the cache: their names change with their
// content). Nothing else is touched: API answers (cases, reference data, photos) always go to the network, and
// what the page must keep offline it keeps itself in IndexedDB.
const VERSION = "3297f6c6b828da10";
const SHELL = ["chunk.73S35ZUP.js","chunk.U77GDPKF.js","en.MDXNONEL.js","icon.W7BGT4NI.svg","phone.CWYUZZSV.css","phone.QKBLPR2K.js","ug.4QHMCPGP.js","zh.XSWUHEXO.js"];
const CACHE = `gridloop-phone-${VERSION}`;
const PAGE = new URL('phone', self.registration.scope).href;
const FILES = SHELL.map((name) => new URL(name, self.registration.scope).href);

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([PAGE, ...FILES])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith('gridloop-phone-') && n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (request.mode === 'navigate' && url.origin + url.pathname === PAGE) {
    event.respondWith(fetch(request).catch(() => caches.match(PAGE, { cacheName: CACHE })));
    return;
  }
  if (FILES.includes(url.origin + url.pathname)) {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then((kept) => kept || fetch(request)));
  }
});

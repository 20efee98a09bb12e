// The page's one Trusted Types policy (the CSP names it: `trusted-types default`). Clearing an element with
// `innerHTML = ""` (the chart library does) is let through; any other string bound for an HTML or script sink
// throws, so no data is ever parsed as HTML. The one script URL let through is the phone page's service worker
// (`navigator.serviceWorker.register` is a script-URL sink), from this origin.
if (window.trustedTypes?.createPolicy) {
  window.trustedTypes.createPolicy('default', {
    createHTML(html) {
      if (html === '') return '';
      throw new TypeError('the console never turns a string into HTML');
    },
    createScriptURL(url) {
      const parsed = new URL(url, location.href);
      if (parsed.origin === location.origin && parsed.pathname.endsWith('/console/phone-sw.js')) return url;
      throw new TypeError('the console loads no script from a string');
    },
  });
}

// The page's one Trusted Types policy (the CSP names it: `trusted-types default`). Clearing an element with
// `innerHTML = ""` (the chart library does) is let through; any other string bound for an HTML or script sink
// throws, so no data is ever parsed as HTML.
if (window.trustedTypes?.createPolicy) {
  window.trustedTypes.createPolicy('default', {
    createHTML(html) {
      if (html === '') return '';
      throw new TypeError('the console never turns a string into HTML');
    },
  });
}

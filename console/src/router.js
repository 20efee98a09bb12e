// Screens live in the URL's fragment (#/queue?status=reported&category=irrigation): every view can be bookmarked
// and the server serves one page.
import { useEffect, useState } from 'preact/hooks';

export function currentRoute() {
  const [path, query = ''] = (location.hash.slice(1) || '/').split('?');
  return { path, params: Object.fromEntries(new URLSearchParams(query)) };
}

export function href(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function navigate(path, params, { replace = false } = {}) {
  const target = href(path, params);
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

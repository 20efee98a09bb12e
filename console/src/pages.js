// List routes read through their cursors. `usePages`: a page at a time, "more" appending the next. `allPages` and
// `useAllPages`: a list read to its end -- only for lists the server bounds (a grid's households: at most 2,000; a
// grid's visits of the month; a case's timeline), never for cases.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { useLatest } from './latest.js';

const withCursor = (path, cursor) => `${path}${cursor ? `${path.includes('?') ? '&' : '?'}cursor=${cursor}` : ''}`;

// `page` holds every item read so far with the last page's other fields (a ledger's balance); no path: nothing read
export function usePages(path) {
  const [state, setState] = useState({ page: null, error: null });
  const latest = useLatest();
  const load = (cursor) => {
    if (!path) return null;
    const only = latest();
    return api(withCursor(path, cursor)).then(
      only((next) => setState((before) => ({
        page: cursor && before.page ? { ...next, items: [...before.page.items, ...next.items] } : next, error: null }))),
      only((error) => setState((before) => ({ ...before, error }))));
  };
  useEffect(() => { setState({ page: null, error: null }); load(null); }, [path]);
  const { page, error } = state;
  return { page, items: page ? page.items : null, cursor: page?.cursor || null, error,
    more: () => load(page?.cursor), reload: () => load(null) };
}

// every item, its pages in turn; after each, onPage(items so far, last) may answer false to stop reading
export async function allPages(path, onPage = () => true) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(withCursor(path, cursor));
    items.push(...page.items);
    cursor = page.cursor;
    if (onPage([...items], !cursor) === false) break;
  } while (cursor);
  return items;
}

// the same shown as the pages arrive; stop (optional): enough once one item answers true (a deep link)
export function useAllPages(path, stop) {
  const [state, setState] = useState({ items: null, done: false, error: null });
  const latest = useLatest();
  useEffect(() => {
    setState({ items: null, done: false, error: null });
    if (!path) return;
    const only = latest();
    allPages(path, (items, last) => only(() => {
      const done = last || Boolean(stop && items.some(stop));
      setState({ items, done, error: null });
      return !done;
    })() === true).catch(only((error) => setState((now) => ({ ...now, error }))));
  }, [path]);
  return state;
}

// a household as the person at hand can tell it: the head's name (masked outside the grid's own people), the
// address, the phone's last digits; every word typed must be found
export function householdMatches(household, typed) {
  const text = `${household.head} ${household.address || ''} ${(household.phone || '').replace(/\D/g, '')}`.toLowerCase();
  return typed.trim().toLowerCase().split(/\s+/).filter(Boolean).every((word) => text.includes(word));
}

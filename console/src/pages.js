// A list route read to its end: the first page, then each next one from its cursor, shown as they arrive. For
// lists bounded by the server (a grid's households: at most 2,000; a grid's visits of the month), never for cases.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { useLatest } from './latest.js';

// path: the route with its query (no cursor); stop (optional): enough once one item answers true (a deep link)
export function useAllPages(path, stop) {
  const [state, setState] = useState({ items: null, done: false, error: null });
  const latest = useLatest();
  useEffect(() => {
    setState({ items: null, done: false, error: null });
    if (!path) return;
    const only = latest();
    const next = (cursor, before) => api(`${path}${cursor ? `&cursor=${cursor}` : ''}`)
      .then(only((page) => {
        const items = [...before, ...page.items];
        const done = !page.cursor || Boolean(stop && page.items.some(stop));
        setState({ items, done, error: null });
        if (!done) next(page.cursor, items);
      }), only((error) => setState((now) => ({ ...now, error }))));
    next(null, []);
  }, [path]);
  return state;
}

// a household as the person at hand can tell it: the head's name (masked outside the grid's own people), the
// address, the phone's last digits; every word typed must be found
export function householdMatches(household, typed) {
  const text = `${household.head} ${household.address || ''} ${(household.phone || '').replace(/\D/g, '')}`.toLowerCase();
  return typed.trim().toLowerCase().split(/\s+/).filter(Boolean).every((word) => text.includes(word));
}

// every item of such a list at once (a case's timeline: bounded by the case's own history), its pages in turn
export async function allPages(path) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(`${path}${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

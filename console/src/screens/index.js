// The console's screens: each names the ability (from GET /me) it needs; the menu lists those the caller has.
import { Home } from './home.jsx';

const can = (...abilities) => (me) => abilities.some((a) => me.abilities.includes(a));

export const SCREENS = [
  { path: '/', title: 'nav.home', View: Home, menu: true, allowed: () => true },
];

export function screenFor(path, me) {
  for (const screen of SCREENS) {
    const pattern = new RegExp(`^${screen.path.replace(/:\w+/g, '([^/]+)')}$`);
    if (pattern.test(path)) return screen.allowed(me) ? screen : null;
  }
  return null;
}

export { can };

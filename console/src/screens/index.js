// The console's screens: each names the ability (from GET /me) it needs; the menu lists those the caller has.
import { AdminAccessLog, AdminConfiguration, AdminHouseholds, AdminKeys } from './admin.jsx';
import { AdminUsers } from './admin_users.jsx';
import { AppealDecisions, Scorecard } from './assessment.jsx';
import { CasePanel } from './case.jsx';
import { AreaCases, Inbox, Queue } from './cases.jsx';
import { Dashboard } from './dashboard.jsx';
import { Home } from './home.jsx';
import { Points, Redemptions } from './points.jsx';
import { Intake } from './intake.jsx';
import { Supervision } from './supervision.jsx';

const can = (...abilities) => (me) => abilities.some((a) => me.abilities.includes(a));

export const SCREENS = [
  { path: '/', title: 'nav.home', View: Home, menu: true, allowed: () => true },
  { path: '/queue', title: 'nav.queue', View: Queue, menu: true, allowed: can('queue') },
  { path: '/inbox', title: 'nav.inbox', View: Inbox, menu: true, allowed: can('inbox') },
  { path: '/supervision', title: 'nav.supervision', View: Supervision, menu: true, allowed: can('supervision') },
  { path: '/intake', title: 'nav.intake', View: Intake, menu: true, allowed: can('intake') },
  { path: '/appeals', title: 'nav.appeals', View: AppealDecisions, menu: true, allowed: can('appeal_decisions') },
  { path: '/scorecard', title: 'nav.scorecard', View: Scorecard, menu: true, allowed: can('scorecard') },
  { path: '/points', title: 'nav.points', View: Points, menu: true, allowed: can('points') },
  { path: '/redemptions', title: 'nav.redemptions', View: Redemptions, menu: true, allowed: can('redemptions') },
  { path: '/cases', title: 'nav.cases', View: AreaCases, menu: true, allowed: can('cases') },
  { path: '/dashboard', title: 'nav.dashboard', View: Dashboard, menu: true, allowed: can('statistics') },
  { path: '/admin/users', title: 'nav.admin_users', View: AdminUsers, menu: true, allowed: can('administer') },
  { path: '/admin/keys', title: 'nav.admin_keys', View: AdminKeys, menu: true, allowed: can('administer') },
  { path: '/admin/access-log', title: 'nav.admin_access_log', View: AdminAccessLog, menu: true, allowed: can('administer') },
  { path: '/admin/households', title: 'nav.admin_households', View: AdminHouseholds, menu: true, allowed: can('administer') },
  { path: '/admin/configuration', title: 'nav.admin_configuration', View: AdminConfiguration, menu: true,
    allowed: can('administer') },
  { path: '/cases/:id', title: 'nav.case', View: CasePanel, menu: false, allowed: can('queue', 'inbox', 'cases') },
];

export function screenFor(path, me) {
  for (const screen of SCREENS) {
    const pattern = new RegExp(`^${screen.path.replace(/:\w+/g, '([^/]+)')}$`);
    if (pattern.test(path)) return screen.allowed(me) ? screen : null;
  }
  return null;
}

export { can };

// The domain's words the screens list (case statuses, what a case is flagged for, urgencies, photo types, evaluation scores and verdicts,
// appeal decisions, roles and the place each role holds), from the page's settings block, which the server writes
// from the domain's own definitions (chalicelib/console.py): the screens hold no copy of them.
import { settings } from './settings.js';

export function vocabulary() {
  return settings().vocabulary;
}

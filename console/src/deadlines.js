// Deadline lights: the stage a case is in has one due time (triage, report-in, resolve or evaluation) and the moment
// the system warns about it (the API's `warnings`, counted in working time as the timers count it). Red once the
// due time has passed, yellow once the warning has gone out, green before.
const STAGES = ['triage_due', 'report_in_due', 'resolve_due', 'evaluation_due'];

export function stageDue(deadlines, warnings) {
  const due = STAGES.filter((s) => deadlines?.[s]).map((s) => [s, deadlines[s]]);
  due.sort((a, b) => a[1].localeCompare(b[1]));
  if (!due[0]) return null;
  const [key, at] = due[0];
  return { stage: key.replace(/_due$/, ''), due: at, warning: warnings?.[key] };
}

export function light({ due, warning }, now = Date.now()) {
  if (Date.parse(due) < now) return 'red';
  if (warning && Date.parse(warning) <= now) return 'yellow';
  return 'green';
}

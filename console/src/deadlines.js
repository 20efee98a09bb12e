// Deadline lights: the stage a case is in has one due time (triage, report-in, resolve or evaluation). Red once
// it has passed, yellow in the last quarter of the stage (or its last two hours), green before.
const STAGES = ['triage_due', 'report_in_due', 'resolve_due', 'evaluation_due'];
const HOUR = 3600 * 1000;

export function stageDue(deadlines) {
  const due = STAGES.filter((s) => deadlines?.[s]).map((s) => [s.replace(/_due$/, ''), deadlines[s]]);
  due.sort((a, b) => a[1].localeCompare(b[1]));
  return due[0] ? { stage: due[0][0], due: due[0][1] } : null;
}

export function light(dueIso, sinceIso, now = Date.now()) {
  const due = Date.parse(dueIso);
  const left = due - now;
  if (left < 0) return 'red';
  const total = due - Date.parse(sinceIso || dueIso);
  if (left < 2 * HOUR || (total > 0 && left < total / 4)) return 'yellow';
  return 'green';
}

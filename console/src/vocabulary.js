// The domain's words the screens list (case statuses, urgencies, photo types, evaluation scores), read from the
// page's settings block, which the server writes from the domain's own definitions (chalicelib/console.py): the
// screens hold no copy of them.
let words;

export function vocabulary() {
  if (!words) words = JSON.parse(document.getElementById('gridloop-settings').textContent).vocabulary;
  return words;
}

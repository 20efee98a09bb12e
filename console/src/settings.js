// The page's settings block (written by the server, chalicelib/console.py; data, never run), read once.
let read;

export function settings() {
  if (!read) read = JSON.parse(document.getElementById('gridloop-settings').textContent);
  return read;
}

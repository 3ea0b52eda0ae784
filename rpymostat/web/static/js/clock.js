// The engine's clock, as seen from the browser. Timestamps from the engine are
// compared with the engine's "now", not the browser's: the two may disagree
// (a tablet with a wrong clock, or the demo, whose clock runs faster).
let offset = 0;

export function noteEngineTime(iso) {
  const t = Date.parse(iso);
  if (!Number.isNaN(t)) offset = t - Date.now();
}

export function engineNow() {
  return Date.now() + offset;
}

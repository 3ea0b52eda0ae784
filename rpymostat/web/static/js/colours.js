// One colour per room, the same on every screen (the Now screen's room cards,
// the History chart and its legend), chosen from the sensors' IDs: hiding a
// sensor changes no colour, and a new one rarely moves another's. The palette leaves out
// the heat red and the cool blue, which belong to targets and equipment, and
// every colour reads on the light and the kiosk background.
export const HEAT_COLOUR = "#c2261a";
export const COOL_COLOUR = "#1d5fb4";
export const FAN_COLOUR = "#6b7280";
export const OUTDOOR_COLOUR = "#71717a";
const ROOM_COLOURS = ["#15803d", "#7e22ce", "#0e7490", "#b45309", "#4d7c0f", "#4338ca", "#854d0e"];

function hash(text) {
  let value = 0;
  for (const char of text) value = (value * 31 + char.codePointAt(0)) >>> 0;
  return value;
}

// Each sensor's colour, given every sensor the engine knows (so that each
// screen, asking with the same list, gets the same answer). A sensor takes the
// colour its ID points at, or the next free one: two rooms share a colour only
// when there are more rooms than colours.
export function roomColours(sensorIds) {
  const colours = new Map();
  const taken = new Set();
  for (const id of [...sensorIds].sort()) {
    let slot = hash(id) % ROOM_COLOURS.length;
    for (let tries = 0; tries < ROOM_COLOURS.length && taken.has(slot); tries++) slot = (slot + 1) % ROOM_COLOURS.length;
    taken.add(slot);
    if (taken.size >= ROOM_COLOURS.length) taken.clear();
    colours.set(id, ROOM_COLOURS[slot]);
  }
  return colours;
}

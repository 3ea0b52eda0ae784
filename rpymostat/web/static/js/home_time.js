// The home's time zone: every time the UI shows, and every time typed into
// it, is wall-clock time at home (the engine's effective_timezone), never the
// browser's. A phone abroad or a tablet set to another zone shows 06:30 for
// the schedule that starts at 06:30 at home, and "away from 08:00" typed on
// it means 08:00 at home.
//
// Home wall times that the clocks skip or repeat follow the engine's rules
// for schedules (rpymostat/scheduling/wallclock.py): a time that happens
// twice (clocks go back) is its first occurrence; a time that never happens
// (clocks go forward) is the moment of the change, the first instant after
// the gap (02:30 on a 02:00 → 03:00 night is 03:00).
import { api } from "./api.js";

const DAY = 86400 * 1000;
let zone = null;
const formats = new Map();

export function homeZone() { return zone; }

function browserZone() { return Intl.DateTimeFormat().resolvedOptions().timeZone; }

function knownToBrowser(name) {
  try { new Intl.DateTimeFormat("en-US", { timeZone: name }); return true; } catch (_) { return false; }
}

// True when the zone is new to the UI, so the screen on show is redrawn. A
// zone the engine knows but this browser's time zone data does not (an old
// browser, a new zone) cannot be drawn in: the browser's own zone is used,
// and named as such wherever the zone is shown.
export function setHomeZone(name) {
  if (!name) return false;
  const usable = knownToBrowser(name) ? name : browserZone();
  if (usable === zone) return false;
  zone = usable;
  formats.clear();
  return true;
}

export async function loadHomeZone() {
  const settings = await api("GET", "/v1/schedules/settings");
  return setHomeZone(settings.effective_timezone);
}

export function forgetHomeZone() {
  zone = null;
  formats.clear();
}

// Whether the browser tells another zone than the home's: then the zone's
// name is worth showing beside times that would otherwise look like local ones.
// Names are compared as the browser resolves them, so aliases ("Etc/UTC" and
// "UTC") count as the same zone.
export function browserIsElsewhere() {
  return browserZone() !== new Intl.DateTimeFormat("en-US", { timeZone: zone || undefined }).resolvedOptions().timeZone;
}

function format(options, locale = []) {
  const key = JSON.stringify([locale, options]);
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(locale, { ...options, timeZone: zone || undefined }));
  return formats.get(key);
}

function toMs(when) { return typeof when === "number" ? when : Date.parse(when); }

// Time, date and both, in the browser's language but at home.
export function formatInHome(when, options) { return format(options).format(toMs(when)); }

export function formatTime(when) {
  if (!when) return "—";
  return formatInHome(when, { hour: "2-digit", minute: "2-digit" });
}

export function formatDateTime(when) {
  if (!when) return "—";
  return formatInHome(when, { dateStyle: "medium", timeStyle: "short" });
}

// The home's wall-clock time at an instant, as the milliseconds a UTC clock
// would show for it: calendar arithmetic then works with Date's UTC methods.
export function homeWall(ms) {
  const whole = Math.floor(ms / 1000) * 1000;
  const parts = {};
  const numeric = format({ year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
    second: "numeric", hourCycle: "h23" }, "en-US-u-nu-latn");
  for (const part of numeric.formatToParts(whole)) parts[part.type] = Number(part.value);
  const wall = new Date(0);
  wall.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  wall.setUTCHours(parts.hour, parts.minute, parts.second);
  return wall.getTime() + (ms - whole);
}

function offsetAt(ms) { return homeWall(ms) - ms; }

// The instant at which the home's clock shows `wall` (homeWall's form). An
// offset change is never less than a day from another, so the offsets a day
// either side are the only ones the zone can be using: try both. (Correcting
// once from the offset at `wall` read as UTC is not enough: east of
// Greenwich it finds the second of two repeated times.)
export function homeInstant(wall) {
  const before = offsetAt(wall - DAY), after = offsetAt(wall + DAY);
  const shown = [wall - before, wall - after].filter((t) => homeWall(t) === wall);
  if (shown.length) return Math.min(...shown);
  // Skipped by a spring-forward: find the change between the last instant
  // read with the old offset and the first read with the new one.
  let low = wall - after, high = wall - before;
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (offsetAt(middle) === before) low = middle; else high = middle;
  }
  return high;
}

// Midnight at home on the day of `ms`, `days` days later (23 or 25 hours
// apart across a DST change).
export function homeDayStart(ms, days = 0) {
  const wall = new Date(homeWall(ms));
  wall.setUTCHours(0, 0, 0, 0);
  wall.setUTCDate(wall.getUTCDate() + days);
  return homeInstant(wall.getTime());
}

// A datetime-local input's value ("2026-12-21T08:00"), read as home time.
export function fromHomeInput(value) {
  const match = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value || "");
  if (!match) return NaN;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part || 0));
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, match[7] ? Number(match[7].padEnd(3, "0")) : 0);
  if (wall.getUTCMonth() !== month - 1 || wall.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return NaN;
  return homeInstant(wall.getTime());
}

// The value for a datetime-local input showing `ms` at home, to the minute.
export function toHomeInput(ms) {
  return new Date(homeWall(ms)).toISOString().slice(0, 16);
}

// Plain words for what the engine says in fields: "until 22:30" when that is
// today, "until tomorrow 06:30", "until Mon 06:30" within the week, a date
// beyond. A time without its day reads as today, so it is only ever today's.
import { engineNow } from "./clock.js";
import { formatInHome, formatTime, homeDayStart } from "./home_time.js";

export function whenPhrase(when) {
  const at = typeof when === "number" ? when : Date.parse(when);
  const now = engineNow();
  if (at < homeDayStart(now, 1)) return formatTime(at);
  if (at < homeDayStart(now, 2)) return `tomorrow ${formatTime(at)}`;
  if (at < homeDayStart(now, 7)) return `${formatInHome(at, { weekday: "short" })} ${formatTime(at)}`;
  return `${formatInHome(at, { weekday: "short", day: "numeric", month: "short" })} ${formatTime(at)}`;
}

export function untilPhrase(when) {
  return when ? ` until ${whenPhrase(when)}` : "";
}

// Who set the target in force, from a timeline source ("schedule:<id>").
const SOURCES = { schedule: "your week schedule", override: "a planned change", adjustment: "a change made here",
  default: "the setting outside every schedule" };

export function sourcePhrase(source) {
  if (!source) return "";
  return SOURCES[source.split(":")[0]] || source;
}

// The week grid's model: seven days (Monday first) of blocks from 00:00 to
// 24:00, each with a setting, read from and written to the engine's schedule
// rules. No DOM here.
//
// A setting is what a block asks for: a temperature pair ({mode, heat, cool}),
// a named preset in a mode ({mode, preset}: its targets are the preset's, as
// they are now, looked up where the block is drawn), or `null` for "the
// default instruction" (what applies outside every schedule).
//
// The grid owns the schedules it can draw exactly — a start time on some
// weekdays, an end time (end_cron) or a duration, a plain instruction (with or
// without a preset) with no sensor weights of its own — and leaves every other
// rule alone (they stay in the advanced view). Saving writes one rule per
// distinct block, with its weekdays in the cron line and its end as an
// end_cron, which keeps the end on the wall clock across daylight-saving changes.

export const DAY_MINUTES = 1440;
export const WEEK_MINUTES = 7 * DAY_MINUTES;
export const STEP = 15;
export const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export function settingKey(setting) {
  if (!setting) return "default";
  if (setting.preset) return `${setting.mode}:preset:${setting.preset}`;
  return `${setting.mode}:${setting.heat ?? ""}:${setting.cool ?? ""}`;
}

// Only the setpoints the mode uses, so two rules that act alike compare equal;
// a rule naming a preset is that preset (its setpoints follow the preset).
export function settingOf(instruction) {
  const mode = instruction.mode;
  if (instruction.preset && mode !== "off") return { mode, preset: instruction.preset };
  return { mode, heat: mode === "heat" || mode === "auto" ? instruction.heat_setpoint : null,
    cool: mode === "cool" || mode === "auto" ? instruction.cool_setpoint : null };
}

export function instructionOf(setting) {
  if (setting.preset) return { mode: setting.mode, preset: setting.preset };
  const body = { mode: setting.mode };
  if (setting.heat !== null && setting.heat !== undefined) body.heat_setpoint = setting.heat;
  if (setting.cool !== null && setting.cool !== undefined) body.cool_setpoint = setting.cool;
  return body;
}

const TIME = /^(\d{1,2}) (\d{1,2}) \* \* (\S+)$/;

// Cron weekdays (0 or 7 = Sunday) as grid days (0 = Monday); null when the field is more than a list of days.
function cronDays(field) {
  if (field === "*") return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set();
  for (const part of field.split(",")) {
    const match = /^([0-7])(?:-([0-7]))?$/.exec(part);
    if (!match) return null;
    const from = Number(match[1]), to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) return null;
    for (let d = from; d <= to; d++) days.add((d + 6) % 7);
  }
  return [...days].sort();
}

function clockMinutes(match) {
  const minute = Number(match[1]), hour = Number(match[2]);
  return minute < 60 && hour < 24 ? hour * 60 + minute : null;
}

function durationMinutes(text) {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(text || "");
  if (!match || (!match[1] && !match[2])) return null;
  const minutes = Number(match[1] || 0) * 60 + Number(match[2] || 0);
  return minutes > 0 && minutes <= WEEK_MINUTES ? minutes : null;
}

// Each occurrence of a rule in a week, as {day, start, length} in minutes;
// null when the grid cannot draw the rule exactly.
export function occurrences(rule) {
  if (rule.enabled === false || (rule.sensors && Object.keys(rule.sensors).length)) return null;
  if ((rule.tolerance !== null && rule.tolerance !== undefined) || (rule.fan && rule.fan !== "auto")) return null;
  const startMatch = TIME.exec(rule.cron || "");
  if (!startMatch) return null;
  const start = clockMinutes(startMatch), days = cronDays(startMatch[3]);
  if (start === null || days === null || !days.length) return null;
  if (rule.end_cron) {
    const endMatch = TIME.exec(rule.end_cron);
    if (!endMatch) return null;
    const end = clockMinutes(endMatch);
    if (end === null) return null;
    if (endMatch[3] === "*") {
      const length = ((end - start + DAY_MINUTES - 1) % DAY_MINUTES) + 1;
      return days.map((day) => ({ day, start, length }));
    }
    const endDays = cronDays(endMatch[3]);
    if (!endDays || endDays.length !== 1) return null;
    return days.map((day) => {
      const from = day * DAY_MINUTES + start, to = endDays[0] * DAY_MINUTES + end;
      return { day, start, length: ((to - from + WEEK_MINUTES - 1) % WEEK_MINUTES) + 1 };
    });
  }
  const length = durationMinutes(rule.duration);
  return length === null ? null : days.map((day) => ({ day, start, length }));
}

function blocksOfDay(painted, settings, day) {
  const blocks = [];
  for (let minute = 0; minute < DAY_MINUTES; minute++) {
    const index = painted[day * DAY_MINUTES + minute];
    const last = blocks[blocks.length - 1];
    if (last && last.index === index) last.end = minute + 1;
    else blocks.push({ start: minute, end: minute + 1, index });
  }
  return blocks.map((b) => ({ start: b.start, end: b.end, setting: settings[b.index] }));
}

// The week the rules make, painted the way the engine resolves them: the
// narrower occurrence wins, then the rule created last, then the smaller id.
export function weekFromRules(schedules) {
  const owned = [], others = [];
  for (const rule of schedules) (occurrences(rule) ? owned : others).push(rule);
  const painted = new Uint16Array(WEEK_MINUTES);
  const settings = [null];
  const keys = new Map([["default", 0]]);
  const placed = owned.flatMap((rule) => occurrences(rule).map((o) => ({ ...o, rule })));
  placed.sort((a, b) => b.length - a.length || a.rule.created_at.localeCompare(b.rule.created_at)
    || (a.rule.id < b.rule.id ? 1 : a.rule.id > b.rule.id ? -1 : 0));
  for (const { day, start, length, rule } of placed) {
    const setting = settingOf(rule);
    const key = settingKey(setting);
    if (!keys.has(key)) { keys.set(key, settings.length); settings.push(setting); }
    const from = day * DAY_MINUTES + start;
    for (let m = 0; m < length; m++) painted[(from + m) % WEEK_MINUTES] = keys.get(key);
  }
  return { week: DAY_NAMES.map((_, day) => blocksOfDay(painted, settings, day)), owned, others };
}

// The blocks of the whole week in a ring, neighbours with the same setting
// joined (across midnight too): one occurrence each.
function runs(week) {
  const flat = week.flatMap((blocks, day) => blocks.map((b) => ({ from: day * DAY_MINUTES + b.start,
    to: day * DAY_MINUTES + b.end, setting: b.setting })));
  const joined = [];
  for (const block of flat) {
    const last = joined[joined.length - 1];
    if (last && settingKey(last.setting) === settingKey(block.setting)) last.to = block.to;
    else joined.push({ ...block });
  }
  if (joined.length > 1 && settingKey(joined[0].setting) === settingKey(joined[joined.length - 1].setting)) {
    const tail = joined.pop();
    joined[0] = { from: tail.from, to: joined[0].to + WEEK_MINUTES, setting: tail.setting };
  }
  return joined.filter((run) => run.setting !== null);
}

const two = (n) => String(n).padStart(2, "0");
export function clock(minutes) { return `${two(Math.floor(minutes / 60) % 24)}:${two(minutes % 60)}`; }

// Grid days as a cron weekday field: "1-5", "0,6", "*".
function cronDayField(days) {
  if (days.length === 7) return "*";
  const numbers = days.map((d) => (d + 1) % 7).sort((a, b) => a - b);
  const parts = [];
  for (const n of numbers) {
    const last = parts[parts.length - 1];
    if (last && last[1] === n - 1) last[1] = n; else parts.push([n, n]);
  }
  return parts.map(([a, b]) => (a === b ? `${a}` : b === a + 1 ? `${a},${b}` : `${a}-${b}`)).join(",");
}

export function daysLabel(days) {
  const key = days.join("");
  if (key === "01234") return "Weekdays";
  if (key === "56") return "Weekends";
  if (key === "0123456") return "Every day";
  return days.map((d) => DAY_NAMES[d].slice(0, 3)).join(", ");
}

// The schedule bodies that make `week`: one per block start and length, on
// every day that has it.
export function rulesFromWeek(week) {
  const groups = new Map();
  for (const run of runs(week)) {
    const day = Math.floor(run.from / DAY_MINUTES) % 7, start = run.from % DAY_MINUTES, length = run.to - run.from;
    // Past a day's length the end needs its own weekday: such a run is its own rule.
    const key = `${start}/${length}/${settingKey(run.setting)}${length > DAY_MINUTES ? `/${day}` : ""}`;
    if (!groups.has(key)) groups.set(key, { start, length, setting: run.setting, days: [] });
    groups.get(key).days.push(day);
  }
  return [...groups.values()].map(({ start, length, setting, days }) => {
    days.sort();
    const end = (start + length) % DAY_MINUTES;
    const endDay = length > DAY_MINUTES ? `${((days[0] + Math.floor((start + length) / DAY_MINUTES)) + 1) % 7}` : "*";
    return { name: `${daysLabel(days)} ${clock(start)}–${clock(end)}`, cron: `${start % 60} ${Math.floor(start / 60)} * * ${cronDayField(days)}`,
      end_cron: `${end % 60} ${Math.floor(end / 60)} * * ${endDay}`, ...instructionOf(setting) };
  });
}

// What a rule does in the week, comparable between a stored rule and a body
// to be written: a stored rule that does the same is kept as it is.
export function ruleEffect(rule) {
  const found = occurrences(rule) || [];
  return `${settingKey(settingOf(rule))}|${found.map((o) => `${o.day}:${o.start}:${o.length}`).sort().join(",")}`;
}

// Day editing. A day is a list of blocks from 0 to DAY_MINUTES; neighbours
// with the same setting are joined after every change.
export function tidy(blocks) {
  const out = [];
  for (const block of blocks) {
    const last = out[out.length - 1];
    if (last && settingKey(last.setting) === settingKey(block.setting)) last.end = block.end;
    else out.push({ ...block });
  }
  return out;
}

// Splits a block in two at its middle (to the step); the new block starts
// with the same setting, for the person to change.
export function split(blocks, index) {
  const block = blocks[index];
  if (block.end - block.start < 2 * STEP) return blocks;
  const middle = block.start + Math.round((block.end - block.start) / 2 / STEP) * STEP;
  return [...blocks.slice(0, index), { ...block, end: middle }, { ...block, start: middle }, ...blocks.slice(index + 1)];
}

// Moves the start of block `index` (the edge between it and the one before),
// kept at least a step inside both.
export function moveEdge(blocks, index, minute) {
  if (index <= 0 || index >= blocks.length) return blocks;
  const low = blocks[index - 1].start + STEP, high = blocks[index].end - STEP;
  const at = Math.min(Math.max(Math.round(minute / STEP) * STEP, low), high);
  if (low > high) return blocks;
  return blocks.map((b, i) => (i === index - 1 ? { ...b, end: at } : i === index ? { ...b, start: at } : b));
}

// Removes a block: the one before takes its time (the first block gives its time to the next).
export function removeBlock(blocks, index) {
  if (blocks.length < 2) return blocks;
  if (index === 0) return tidy([{ ...blocks[1], start: 0 }, ...blocks.slice(2)]);
  return tidy(blocks.map((b, i) => (i === index - 1 ? { ...b, end: blocks[index].end } : b)).filter((_, i) => i !== index));
}

export function setSetting(blocks, index, setting) {
  return tidy(blocks.map((b, i) => (i === index ? { ...b, setting } : b)));
}

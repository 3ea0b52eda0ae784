// "Schedule": the week as a grid of time blocks to edit (week_editor.js), the
// week ahead drawn from /v1/timeline (schedules, overrides and adjustments as
// overlaid bands, like an on-call rotation), an "away from … to …" form, and
// the rules themselves as cron lines, the advanced view.
import { api, can } from "../api.js";
import { weekEditor } from "./week_editor.js";
import { contentWidth, h, replace, field, showError, showFieldErrors } from "../dom.js";
import { formatTemperature, fromDisplay, toDisplay, unit } from "../units.js";
import { engineNow, noteEngineTime } from "../clock.js";
import { formatDateTime, formatInHome, formatTime, fromHomeInput, homeDayStart, homeWall, homeZone, setHomeZone,
  toHomeInput } from "../home_time.js";

const HOUR = 3600 * 1000;
// The advanced view stays open across the screen's reloads once opened.
let advancedOpen = false;
const SVG = "http://www.w3.org/2000/svg";

export async function loadSchedule(state) {
  const [timeline, schedules, overrides, settings, presets] = await Promise.all([
    api("GET", "/v1/timeline?hours=168"),
    api("GET", "/v1/schedules"),
    api("GET", "/v1/overrides"),
    api("GET", "/v1/schedules/settings"),
    api("GET", "/v1/presets"),
  ]);
  noteEngineTime(timeline.start);
  setHomeZone(timeline.timezone);
  Object.assign(state, { timeline, schedules: schedules.schedules, overrides: overrides.overrides, scheduleSettings: settings,
    presets: presets.presets });
}

function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

function kindOf(source) { return source.split(":")[0]; }

// A band's or rule's targets, led by the preset in force when they come from one.
function label(segment) {
  if (segment.mode === "off") return "off";
  const parts = [];
  if (segment.mode !== "cool" && segment.heat_setpoint !== null) parts.push(formatTemperature(segment.heat_setpoint, 0));
  if (segment.mode !== "heat" && segment.cool_setpoint !== null) parts.push(formatTemperature(segment.cool_setpoint, 0));
  const targets = parts.join("–");
  return segment.preset ? `${segment.preset.charAt(0).toUpperCase()}${segment.preset.slice(1)} ${targets}` : targets;
}

// One row per day at home, from midnight to midnight, hours across; each
// segment a band coloured by the kind of rule. A band sits at its home
// wall-clock time, so 18:00 is on the 18:00 line on a 23- or 25-hour day too.
// Drawn at the size it is shown so that its text stays readable.
function weekChart(timeline, width) {
  const narrow = width < 600;
  const days = 8, rowHeight = narrow ? 36 : 44, left = narrow ? 58 : 90, top = 24;
  const dayStarts = Array.from({ length: days + 1 }, (_, day) => homeDayStart(Date.parse(timeline.start), day));
  // Midnight on the home's clock, even where the clocks skip it and the day starts at 01:00.
  const midnight = (day) => Math.floor(homeWall(dayStarts[day]) / (24 * HOUR)) * 24 * HOUR;
  const xOf = (t, day) => left + ((homeWall(t) - midnight(day)) / (24 * HOUR)) * (width - left);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${top + days * rowHeight}`, role: "img", class: "week",
    "aria-label": "The week ahead: which rule sets the target when" });
  for (let hour = 0; hour < 24; hour += 6) {
    const x = left + (hour / 24) * (width - left);
    chart.append(svg("line", { x1: x, x2: x, y1: top - 4, y2: top + days * rowHeight, class: "grid" }),
      svg("text", { x, y: 14, class: "axis", "text-anchor": hour === 0 ? "start" : "middle" },
        narrow ? String(hour).padStart(2, "0") : `${String(hour).padStart(2, "0")}:00`));
  }
  for (let day = 0; day < days; day++) {
    chart.append(svg("text", { x: 4, y: top + day * rowHeight + rowHeight / 2 + 5, class: "axis" },
      formatInHome(dayStarts[day], { weekday: "short", day: "numeric" })));
  }
  for (const segment of timeline.segments) {
    const kind = kindOf(segment.source);
    const to = Date.parse(segment.end);
    let from = Date.parse(segment.start);
    for (let day = 0; day < days && from < to; day++) {
      if (from >= dayStarts[day + 1]) continue;
      const end = Math.min(to, dayStarts[day + 1]);
      const x = xOf(from, day);
      const w = (end === dayStarts[day + 1] ? width : xOf(end, day)) - x;
      const band = svg("g", { class: `band ${kind} mode-${segment.mode}`, "data-source": segment.source },
        svg("title", {}, `${formatDateTime(from)} – ${formatTime(end)}: ${segment.mode} ${label(segment)} (${segment.source})`),
        svg("rect", { x, y: top + day * rowHeight + 4, width: Math.max(w, 1), height: rowHeight - 8, rx: 4 }));
      if (w > 8 * label(segment).length) {
        band.append(svg("text", { x: x + 4, y: top + day * rowHeight + rowHeight / 2 + 5, class: "band-label" }, label(segment)));
      }
      chart.append(band);
      from = end;
    }
    const early = segment.early_start;
    if (early) {
      const begin = Date.parse(early.start);
      const day = dayStarts.findIndex((start, index) => index < days && begin >= start && begin < dayStarts[index + 1]);
      if (day >= 0 && Date.parse(segment.start) <= dayStarts[day + 1]) {
        const x = xOf(begin, day);
        chart.append(svg("rect", { class: "early", x, y: top + day * rowHeight + rowHeight - 10,
          width: Math.max(xOf(Date.parse(segment.start), day) - x, 2), height: 6, rx: 2 },
        svg("title", {}, `${early.function === "heat" ? "Heating" : "Cooling"} starts early at ${formatTime(begin)}`)));
      }
    }
  }
  return chart;
}

// Smart recovery, ahead of time: when the heating (or cooling) is planned to
// start so that the house is at the next target at the scheduled minute.
function earlyStarts(timeline) {
  const planned = timeline.segments.filter((segment) => segment.early_start).slice(0, 2);
  if (!planned.length) return null;
  return h("ul", { class: "early-starts", id: "early-starts", "aria-label": "Early starts" }, planned.map((segment) => {
    const early = segment.early_start;
    const verb = early.function === "heat" ? "Heating" : "Cooling";
    return h("li", {}, `${verb} starts early at ${formatTime(Date.parse(early.start))} to reach ` +
      `${formatTemperature(early.target, 1)} by ${formatDateTime(Date.parse(segment.start))}`);
  }));
}

function instructionFields(prefix, existing) {
  const mode = h("select", { id: `${prefix}-mode` }, ["heat", "cool", "auto", "off"].map((m) =>
    h("option", { value: m, selected: existing && existing.mode === m }, m)));
  const heat = h("input", { type: "number", id: `${prefix}-heat`, step: "0.5", inputmode: "decimal",
    value: toDisplay(existing && existing.heat_setpoint !== null ? existing.heat_setpoint : 20).toFixed(1) });
  const cool = h("input", { type: "number", id: `${prefix}-cool`, step: "0.5", inputmode: "decimal",
    value: toDisplay(existing && existing.cool_setpoint !== null ? existing.cool_setpoint : 25).toFixed(1) });
  function read() {
    const body = { mode: mode.value };
    if (mode.value === "heat" || mode.value === "auto") body.heat_setpoint = Math.round(fromDisplay(Number(heat.value)) * 10) / 10;
    if (mode.value === "cool" || mode.value === "auto") body.cool_setpoint = Math.round(fromDisplay(Number(cool.value)) * 10) / 10;
    return body;
  }
  return { elements: [field("Mode", mode), field(`Heat to (°${unit()})`, heat), field(`Cool to (°${unit()})`, cool)], read,
    inputs: { mode, heat_setpoint: heat, cool_setpoint: cool } };
}

// A datetime-local value is home time; what cannot be read goes to the engine
// as typed, so that its refusal names the field.
function toIso(homeValue) {
  const t = fromHomeInput(homeValue);
  return Number.isNaN(t) ? homeValue : new Date(t).toISOString();
}

// 08:00 at home, `days` days from today by the engine's clock.
function eightOClock(days) {
  return `${toHomeInput(homeDayStart(engineNow(), days)).slice(0, 10)}T08:00`;
}

// Offered by default: away from tomorrow 08:00 for three days.
function awayForm(refresh) {
  const from = h("input", { type: "datetime-local", id: "away-from", required: true, value: eightOClock(1) });
  const to = h("input", { type: "datetime-local", id: "away-to", required: true, value: eightOClock(4) });
  const keep = h("input", { type: "number", id: "away-keep", step: "0.5", inputmode: "decimal", value: toDisplay(12).toFixed(1) });
  const form = h("form", { class: "card", id: "away-form", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/v1/overrides", { name: "Away", start: toIso(from.value), end: toIso(to.value), mode: "heat",
        heat_setpoint: Math.round(fromDisplay(Number(keep.value)) * 10) / 10 });
      showFieldErrors(form, null, inputs);
      refresh();
    } catch (error) { showFieldErrors(form, error, inputs); }
  } }, h("h3", {}, "Away"), h("p", { class: "muted" }, `Times at home (${homeZone()}).`),
  field("From", from), field("To", to), field(`Keep above (°${unit()})`, keep),
  h("button", { type: "submit", class: "primary" }, "Save away period"));
  const inputs = { start: from, end: to, heat_setpoint: keep };
  return form;
}

function scheduleForm(refresh, existing, cancel) {
  const prefix = existing ? `edit-${existing.id}` : "schedule";
  const name = h("input", { type: "text", id: `${prefix}-name`, value: existing ? existing.name : "" });
  const cron = h("input", { type: "text", id: `${prefix}-cron`, value: existing ? existing.cron : "30 6 * * 1-5",
    "aria-describedby": `${prefix}-cron-help`, spellcheck: "false" });
  const duration = h("input", { type: "text", id: `${prefix}-duration`, spellcheck: "false",
    value: existing && existing.duration ? existing.duration : "PT16H" });
  const instruction = instructionFields(prefix, existing);
  const inputs = { name, cron, duration, ...instruction.inputs };
  const form = h("form", { class: "card", id: `${prefix}-form`, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const body = { name: name.value || "Schedule", cron: cron.value, duration: duration.value, ...instruction.read() };
    try {
      if (existing) await api("PUT", `/v1/schedules/${encodeURIComponent(existing.id)}`, body);
      else await api("POST", "/v1/schedules", body);
      showFieldErrors(form, null, inputs);
      refresh();
    } catch (error) { showFieldErrors(form, error, inputs); }
  } }, h("h3", {}, existing ? `Edit ${existing.name}` : "New schedule"), field("Name", name),
  field("Starts (cron, home time)", cron),
  h("p", { id: `${prefix}-cron-help`, class: "muted" }, "minute hour day month weekday, e.g. 30 6 * * 1-5 = 06:30 on weekdays"),
  field("Lasts (ISO 8601 duration)", duration), instruction.elements,
  h("button", { type: "submit", class: "primary" }, existing ? "Save" : "Create schedule"),
  cancel ? h("button", { type: "button", onclick: cancel }, "Cancel") : null);
  return form;
}

function ruleCard(rule, path, refresh) {
  const card = h("li", { class: "card rule", "data-rule": rule.id },
    h("h3", {}, rule.name || rule.id),
    h("p", {}, rule.cron ? `${rule.cron} for ${rule.duration || "until " + rule.end_cron}` :
      `${formatDateTime(rule.start)} → ${rule.end ? formatDateTime(rule.end) : "next change"}`),
    h("p", {}, `${rule.mode} ${label(rule)}`));
  if (can("write") && rule.cron) {
    card.append(h("button", { type: "button", "aria-label": `Edit ${rule.name || rule.id}`, onclick: () => {
      const form = scheduleForm(refresh, rule, () => form.replaceWith(card));
      card.replaceWith(form);
      form.querySelector("input").focus();
    } }, "Edit"));
  }
  if (can("write")) {
    card.append(h("button", { type: "button", "aria-label": `Delete ${rule.name || rule.id}`, onclick: async () => {
      try { await api("DELETE", `${path}/${encodeURIComponent(rule.id)}`); refresh(); } catch (error) { showError(card, error); }
    } }, "Delete"));
  }
  return card;
}

export function renderSchedule(container, state, refresh) {
  const paused = state.scheduleSettings.paused;
  const advanced = h("details", { class: "advanced", id: "advanced-rules", open: advancedOpen,
    ontoggle: () => { advancedOpen = advanced.open; } },
  h("summary", {}, "Advanced: the rules as cron lines"),
  can("write") ? h("button", { type: "button", id: "pause", onclick: async () => {
    await api("PATCH", "/v1/schedules/settings", { paused: !paused }); refresh();
  } }, paused ? "Resume schedules" : "Pause all schedules") : null,
  h("ul", { class: "cards" }, state.schedules.map((rule) => ruleCard(rule, "/v1/schedules", refresh))),
  can("write") ? scheduleForm(refresh) : null);
  replace(container,
    weekEditor(state, refresh),
    h("section", { "aria-label": "Week ahead" }, h("h2", {}, "Week ahead"),
      h("p", { class: "muted", id: "schedule-zone" }, `Times in ${homeZone()}`),
      paused ? h("p", { class: "alert" }, "Schedules are paused (vacation); overrides still apply.") : null,
      weekChart(state.timeline, Math.max(300, contentWidth(container))),
      h("p", { class: "legend" }, h("span", { class: "key schedule" }, "schedule"), h("span", { class: "key override" }, "override"),
        h("span", { class: "key adjustment" }, "adjustment"), h("span", { class: "key default" }, "default"),
        h("span", { class: "key early" }, "early start")),
      earlyStarts(state.timeline)),
    h("section", { "aria-label": "Overrides" }, h("h2", {}, "Overrides"),
      state.overrides.length ? h("ul", { class: "cards" }, state.overrides.map((rule) => ruleCard(rule, "/v1/overrides", refresh)))
        : h("p", { class: "muted" }, "No overrides ahead."),
      can("write") ? awayForm(refresh) : null),
    h("section", { "aria-label": "Schedules" }, h("h2", {}, "Schedules"), advanced),
  );
}

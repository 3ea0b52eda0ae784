// "History": temperatures per room, outdoors (a dotted grey line), the target
// and the equipment's on-periods for a day, a week, a month or a year — zoom
// in and out, move back and forth.
import { api } from "../api.js";
import { contentWidth, h, replace } from "../dom.js";
import { toDisplay, unit } from "../units.js";
import { engineNow, noteEngineTime } from "../clock.js";
import { formatDateTime, formatInHome, formatTime, homeZone } from "../home_time.js";

const DAY = 86400 * 1000;
const RANGES = [["day", DAY], ["week", 7 * DAY], ["month", 30 * DAY], ["year", 365 * DAY]];
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#0b5fff", "#b42318", "#1e6b2e", "#8a4b00", "#6b21a8", "#0e7490", "#be185d", "#4d7c0f"];
const OUTDOOR_COLOUR = "#52525b";

// Rooms take the palette in turn; every outdoor sensor is the same dotted grey,
// so the outside never reads as one more room.
function seriesStyles(series) {
  let room = 0;
  return series.map((s) => s.outdoor ? { colour: OUTDOOR_COLOUR, dash: "2 4", outdoor: true }
    : { colour: COLOURS[room++ % COLOURS.length], dash: null, outdoor: false });
}

const view = { span: DAY, end: null };

// Without an end the engine answers up to its own "now", which the browser's
// clock may not know exactly (the demo's clock runs fast).
export async function loadHistory(state) {
  const end = view.end === null ? engineNow() : view.end;
  const range = `start=${new Date(end - view.span).toISOString()}` +
    (view.end === null ? "" : `&end=${new Date(view.end).toISOString()}`);
  state.history = await api("GET", `/v1/history?${range}&resolution=auto&points=400`);
  if (view.end === null) noteEngineTime(state.history.end);
  state.historyWindow = { start: Date.parse(state.history.start), end: Date.parse(state.history.end) };
}

function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

// Drawn at the size it is shown (no scaling), so its text stays readable on a phone.
function chart(history, window, width) {
  const height = width < 600 ? 300 : 380, left = 56, right = 10, top = 10, bars = 64, bottom = 30;
  const plotHeight = height - top - bottom - bars;
  const x = (t) => left + ((t - window.start) / (window.end - window.start)) * (width - left - right);
  const values = [];
  for (const series of history.series) for (const p of series.points) values.push(p.min, p.max);
  for (const step of history.target) for (const v of [step.heat, step.cool]) if (v !== null && v !== undefined) values.push(v);
  const low = values.length ? Math.floor(Math.min(...values) - 0.5) : 15;
  const high = values.length ? Math.ceil(Math.max(...values) + 0.5) : 25;
  const y = (v) => top + (1 - (v - low) / (high - low || 1)) * plotHeight;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "history-chart", role: "img",
    "aria-label": `Temperatures from ${formatDateTime(window.start)} to ${formatDateTime(window.end)}` });
  for (let i = 0; i <= 4; i++) {
    const v = low + ((high - low) * i) / 4;
    root.append(svg("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), class: "grid" }),
      svg("text", { x: 4, y: y(v) + 4, class: "axis" }, `${toDisplay(v).toFixed(1)}°${unit()}`));
  }
  const ticks = width < 600 ? 2 : 4;
  for (let i = 0; i <= ticks; i++) {
    const t = window.start + ((window.end - window.start) * i) / ticks;
    const span = window.end - window.start;
    const text = span <= 2 * DAY ? formatTime(t) : formatInHome(t, { month: "short", day: "numeric" });
    const anchor = i === 0 ? "start" : i === ticks ? "end" : "middle";
    root.append(svg("text", { x: x(t), y: height - 6, class: "axis", "text-anchor": anchor }, text));
  }
  const styles = seriesStyles(history.series);
  history.series.forEach((series, index) => {
    const { colour, dash, outdoor } = styles[index];
    const points = series.points.filter((p) => p.mean !== null);
    if (!points.length) return;
    const at = (p) => new Date(p.at).getTime();
    const band = points.map((p) => `${x(at(p))},${y(p.max)}`).concat(points.slice().reverse().map((p) => `${x(at(p))},${y(p.min)}`));
    const line = { points: points.map((p) => `${x(at(p))},${y(p.mean)}`).join(" "), fill: "none", stroke: colour,
      "stroke-width": 2, class: outdoor ? "series outdoor" : "series", "data-sensor": series.sensor_id };
    if (dash) Object.assign(line, { "stroke-dasharray": dash, "stroke-linecap": "round" });
    root.append(svg("polygon", { points: band.join(" "), fill: colour, opacity: outdoor ? 0.08 : 0.15 }),
      svg("polyline", line));
  });
  for (const key of ["heat", "cool"]) {
    const steps = history.target.filter((s) => s[key] !== null && s[key] !== undefined);
    if (!steps.length) continue;
    const path = [];
    steps.forEach((step, i) => {
      const from = Math.max(new Date(step.at).getTime(), window.start);
      const to = i + 1 < steps.length ? new Date(steps[i + 1].at).getTime() : window.end;
      path.push(`${x(from)},${y(step[key])}`, `${x(to)},${y(step[key])}`);
    });
    root.append(svg("polyline", { points: path.join(" "), fill: "none", stroke: key === "heat" ? "#b42318" : "#0b5394",
      "stroke-dasharray": "6 4", class: `target target-${key}` }));
  }
  ["heat", "cool", "fan"].forEach((fn, row) => {
    const rowY = height - bottom - bars + 12 + row * 17;
    root.append(svg("text", { x: 4, y: rowY + 11, class: "axis" }, fn));
    for (const period of history.equipment.filter((p) => p.function === fn)) {
      const from = x(Math.max(new Date(period.start).getTime(), window.start));
      const to = x(Math.min(new Date(period.end).getTime(), window.end));
      root.append(svg("rect", { x: from, y: rowY, width: Math.max(to - from, 1), height: 13, class: `period period-${fn}` },
        svg("title", {}, `${fn} on ${formatDateTime(period.start)} – ${formatTime(period.end)}`)));
    }
  });
  return root;
}

function legend(series) {
  const styles = seriesStyles(series);
  return h("ul", { class: "legend" }, series.map((one, index) => h("li", { class: styles[index].outdoor ? "outdoor" : null },
    styles[index].outdoor ? h("span", { class: "swatch outdoor" })
      : h("span", { class: "swatch", style: `background:${styles[index].colour}` }),
    (one.name || one.sensor_id) + (styles[index].outdoor ? " (outdoor)" : ""))));
}

export function renderHistory(container, state, refresh) {
  const history = state.history;
  const move = (fraction) => {
    view.end = (view.end === null ? engineNow() : view.end) + fraction * view.span;
    if (view.end >= engineNow()) view.end = null;
    refresh();
  };
  const zoom = (factor) => { view.span = Math.min(Math.max(view.span * factor, 3600 * 1000), 5 * 365 * DAY); refresh(); };
  replace(container,
    h("section", { "aria-label": "History" }, h("h2", {}, "History"),
      h("div", { class: "ranges", role: "group", "aria-label": "Range" },
        RANGES.map(([name, span]) => h("button", { type: "button", "aria-pressed": String(view.span === span),
          id: `range-${name}`, onclick: () => { view.span = span; view.end = null; refresh(); } }, name)),
        h("button", { type: "button", "aria-label": "Zoom in", onclick: () => zoom(0.5) }, "+"),
        h("button", { type: "button", "aria-label": "Zoom out", onclick: () => zoom(2) }, "−"),
        h("button", { type: "button", "aria-label": "Earlier", onclick: () => move(-0.5) }, "◀"),
        h("button", { type: "button", "aria-label": "Later", onclick: () => move(0.5), disabled: view.end === null }, "▶")),
      chart(history, state.historyWindow, Math.max(300, contentWidth(container))),
      legend(history.series),
      h("p", { class: "muted" }, `Resolution ${Math.round(history.resolution / 60)} min, from the ${history.level} level. ` +
        `Times in ${homeZone()}.`)));
}

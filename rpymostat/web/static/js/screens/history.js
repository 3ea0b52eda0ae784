// "History": temperatures per room (each in its own colour, as on every
// screen), outdoors (dotted grey), the targets (dashed, heat red and cool
// blue) and the equipment's runs (strips along the bottom), drawn by the
// vendored uPlot: round-number ticks, home time, a readout of every value
// under the pointer or the finger, drag across to zoom in, buttons to zoom
// out and move back and forth by a day, a week, a month or a year.
import { api } from "../api.js";
import { contentWidth, h, replace } from "../dom.js";
import { toDisplay, unit } from "../units.js";
import { engineNow, noteEngineTime } from "../clock.js";
import { formatDateTime, homeZone } from "../home_time.js";
import { COOL_COLOUR, FAN_COLOUR, HEAT_COLOUR, OUTDOOR_COLOUR, roomColours } from "../colours.js";

const DAY = 86400 * 1000;
const RANGES = [["day", DAY], ["week", 7 * DAY], ["month", 30 * DAY], ["year", 365 * DAY]];
const RUNS = [["heat", HEAT_COLOUR, "Heating"], ["cool", COOL_COLOUR, "Cooling"], ["fan", FAN_COLOUR, "Fan"]];

const view = { span: DAY, end: null };

// Without an end the engine answers up to its own "now", which the browser's
// clock may not know exactly (the demo's clock runs fast).
export async function loadHistory(state) {
  const end = view.end === null ? engineNow() : view.end;
  const range = `start=${new Date(end - view.span).toISOString()}` +
    (view.end === null ? "" : `&end=${new Date(view.end).toISOString()}`);
  const [history, sensors] = await Promise.all([api("GET", `/v1/history?${range}&resolution=auto&points=400`),
    api("GET", "/v1/sensors")]);
  state.history = history;
  state.roomColours = roomColours(sensors.sensors.map((s) => s.id));
  if (view.end === null) noteEngineTime(state.history.end);
  state.historyWindow = { start: Date.parse(state.history.start), end: Date.parse(state.history.end) };
}

// uPlot wants one row of times shared by every line: each series gets a value
// (or a gap) at every time any of them has.
function aligned(history, window) {
  const times = new Set([window.start / 1000, window.end / 1000]);
  const rooms = history.series.filter((s) => s.points.some((p) => p.mean !== null));
  for (const series of rooms) for (const p of series.points) times.add(Date.parse(p.at) / 1000);
  for (const step of history.target) times.add(Math.max(Date.parse(step.at), window.start) / 1000);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns = rooms.map((series) => {
    const ys = new Array(xs.length).fill(null);
    for (const p of series.points) if (p.mean !== null) ys[index.get(Date.parse(p.at) / 1000)] = toDisplay(p.mean);
    return ys;
  });
  // A target holds from its step to the next: carried forward to every time.
  const targets = ["heat", "cool"].map((key) => {
    const steps = history.target.map((s) => [Math.max(Date.parse(s.at), window.start) / 1000, s[key]]);
    let current = null, next = 0;
    return xs.map((x) => {
      while (next < steps.length && steps[next][0] <= x) current = steps[next++][1];
      return current === null || current === undefined ? null : toDisplay(current);
    });
  });
  return { xs, rooms, columns, targets };
}

const formatValue = (v) => (v === null || v === undefined ? "—" : `${v.toFixed(1)} °${unit()}`);

// The readout under the cursor: a room has no value at a time only another
// series has (a target's step), so the nearest of its own within a few points is shown.
function readout(u, v, seriesIndex, index) {
  if (v !== null && v !== undefined) return formatValue(v);
  if (index === null || index === undefined) return "—";
  const ys = u.data[seriesIndex];
  for (let d = 1; d <= 3; d++) {
    for (const i of [index - d, index + d]) if (ys[i] !== null && ys[i] !== undefined) return formatValue(ys[i]);
  }
  return "—";
}

// The equipment's runs, as strips along the bottom of the plot, one row each.
function drawRuns(history) {
  return (u) => {
    const { ctx } = u;
    const rowHeight = Math.round(6 * devicePixelRatio);
    RUNS.forEach(([fn, colour], row) => {
      ctx.fillStyle = colour;
      const y = u.bbox.top + u.bbox.height - (RUNS.length - row) * (rowHeight + 2);
      for (const period of history.equipment.filter((p) => p.function === fn)) {
        const from = u.valToPos(Date.parse(period.start) / 1000, "x", true);
        const to = u.valToPos(Date.parse(period.end) / 1000, "x", true);
        const left = Math.max(from, u.bbox.left), right = Math.min(to, u.bbox.left + u.bbox.width);
        if (right > left) ctx.fillRect(left, y, Math.max(right - left, 1), rowHeight);
      }
    });
  };
}

function runsSummary(history) {
  const lines = RUNS.map(([fn, colour, name]) => {
    const runs = history.equipment.filter((p) => p.function === fn);
    if (!runs.length) return null;
    const minutes = Math.round(runs.reduce((sum, p) => sum + Date.parse(p.end) - Date.parse(p.start), 0) / 60000);
    const total = minutes >= 90 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
    return h("li", { "data-function": fn }, h("span", { class: "swatch", style: `background:${colour}` }),
      `${name} ran ${runs.length === 1 ? "once" : `${runs.length} times`}, ${total} in all`);
  }).filter(Boolean);
  return h("ul", { class: "legend runs", id: "history-runs", "aria-label": "Equipment runs" },
    lines.length ? lines : h("li", {}, "The equipment did not run."));
}

// The temperature ticks uPlot chose, kept on the figure so that what is drawn
// on the canvas can be read back (by a test, or a curious person).
function temperatureTicks(figure) {
  return (u, splits) => {
    const values = splits.map((v) => Number(v.toFixed(2)));
    figure.dataset.yTicks = JSON.stringify(values);
    return values.map((v) => `${v}°`);
  };
}

let touched = false;

function chart(figure, history, window, width, colours) {
  const { xs, rooms, columns, targets } = aligned(history, window);
  const height = width < 600 ? 300 : 380;
  const zone = homeZone();
  const series = [
    { label: "Time", value: (u, t) => (t === null || t === undefined ? "—" : formatDateTime(t * 1000)) },
    ...rooms.map((s) => s.outdoor
      ? { label: `${s.name || s.sensor_id} (outdoor)`, stroke: OUTDOOR_COLOUR, width: 2, dash: [2, 5], value: readout, spanGaps: true }
      : { label: s.name || s.sensor_id, stroke: colours.get(s.sensor_id) || OUTDOOR_COLOUR, width: 2.5, value: readout, spanGaps: true }),
    { label: "Heat target", stroke: HEAT_COLOUR, width: 1.5, dash: [8, 5], paths: uPlot.paths.stepped({ align: 1 }),
      value: readout },
    { label: "Cool target", stroke: COOL_COLOUR, width: 1.5, dash: [8, 5], paths: uPlot.paths.stepped({ align: 1 }),
      value: readout },
  ];
  const options = {
    width, height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
    scales: { x: { time: true, min: window.start / 1000, max: window.end / 1000 } },
    // After a tap the browser says the (emulated) mouse left: the values tapped stay shown.
    cursor: { drag: { x: true, y: false }, points: { size: 8 },
      bind: { mouseleave: (u, target, handler) => (event) => { if (!touched) handler(event); return null; } } },
    legend: { live: true },
    axes: [
      { stroke: "currentColor", grid: { stroke: "rgba(128,128,128,0.25)" }, ticks: { stroke: "rgba(128,128,128,0.4)" },
        space: width < 600 ? 45 : 80 },
      { stroke: "currentColor", grid: { stroke: "rgba(128,128,128,0.25)" }, ticks: { stroke: "rgba(128,128,128,0.4)" },
        values: temperatureTicks(figure), size: 56 },
    ],
    series,
    hooks: { draw: [drawRuns(history)], setScale: [(u, key) => {
      if (key === "x") figure.dataset.xRange = JSON.stringify([u.scales.x.min, u.scales.x.max]);
    }] },
  };
  // uPlot is the global that vendor/uplot/uPlot.iife.min.js (a classic script in index.html) defines.
  const plot = new uPlot(options, [xs, ...columns, ...targets], figure);
  tapReadout(plot);
  figure.dataset.series = JSON.stringify(rooms.map((s, i) => ({ id: s.sensor_id, outdoor: s.outdoor,
    colour: series[i + 1].stroke, dashed: Boolean(series[i + 1].dash) })));
  return plot;
}

// A finger shows the values where it touches (and where it slides), as the pointer does.
function tapReadout(plot) {
  const follow = (event) => {
    touched = event.pointerType !== "mouse";
    if (!touched) return;
    const box = plot.over.getBoundingClientRect();
    plot.setCursor({ left: event.clientX - box.left, top: event.clientY - box.top });
  };
  plot.over.addEventListener("pointerdown", follow);
  plot.over.addEventListener("pointermove", follow);
}

let shown = null;

export function renderHistory(container, state, refresh) {
  const history = state.history;
  const window = state.historyWindow;
  const move = (fraction) => {
    view.end = (view.end === null ? engineNow() : view.end) + fraction * view.span;
    if (view.end >= engineNow()) view.end = null;
    refresh();
  };
  const zoom = (factor) => { view.span = Math.min(Math.max(view.span * factor, 3600 * 1000), 5 * 365 * DAY); refresh(); };
  const figure = h("figure", { class: "history-chart", id: "history-chart", role: "figure",
    "aria-label": `Temperatures from ${formatDateTime(window.start)} to ${formatDateTime(window.end)}` });
  replace(container,
    h("section", { "aria-label": "History" }, h("h2", {}, "History"),
      h("div", { class: "ranges", role: "group", "aria-label": "Range" },
        RANGES.map(([name, span]) => h("button", { type: "button", "aria-pressed": String(view.span === span),
          id: `range-${name}`, onclick: () => { view.span = span; view.end = null; refresh(); } }, name)),
        h("button", { type: "button", "aria-label": "Zoom in", onclick: () => zoom(0.5) }, "+"),
        h("button", { type: "button", "aria-label": "Zoom out", onclick: () => zoom(2) }, "−"),
        h("button", { type: "button", "aria-label": "Earlier", onclick: () => move(-0.5) }, "◀"),
        h("button", { type: "button", "aria-label": "Later", onclick: () => move(0.5), disabled: view.end === null }, "▶")),
      figure,
      h("p", { class: "muted chart-help" }, "Point at or tap the chart to read the values; drag across it to zoom in, " +
        "double-click to zoom back out. Dashed lines are the targets; the strips along the bottom are the equipment's runs."),
      runsSummary(history),
      h("p", { class: "muted" }, `Resolution ${Math.round(history.resolution / 60)} min, from the ${history.level} level. ` +
        `Times in ${homeZone()}.`)));
  if (shown) shown.destroy();
  shown = chart(figure, history, window, Math.max(300, contentWidth(container)), state.roomColours);
}

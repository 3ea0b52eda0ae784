// "Now": the temperature that counts, the target and until when, what the
// equipment does and why, each room, alerts — and the control to change it.
// Live updates redraw the readings but never the Adjust panel, so a change
// being dialled in is not lost when a reading arrives.
import { api, can } from "../api.js";
import { h, replace, showError } from "../dom.js";
import { formatAgo, formatTemperature, fromDisplay, step, toDisplay } from "../units.js";
import { browserIsElsewhere, homeZone } from "../home_time.js";
import { OUTDOOR_COLOUR, roomColours } from "../colours.js";
import { quickAdjust } from "./quick_adjust.js";
import { renderFirstRun } from "./first_run.js";
import { sourcePhrase, untilPhrase, whenPhrase } from "../words.js";

const MODES = ["off", "heat", "cool", "auto"];
const DURATIONS = [["next_change", "Until the next scheduled change"], ["PT1H", "For 1 hour"],
  ["PT2H", "For 2 hours"], ["PT4H", "For 4 hours"], ["PT8H", "For 8 hours"]];
const DOING = { heat: "Heating", cool: "Cooling", fan: "Fan only", idle: "Idle" };
const FUNCTIONS = ["heat", "cool", "fan"];

export async function loadNow(state) {
  const [sensors, decision, relays, devices, schedules] = await Promise.all([
    api("GET", "/v1/sensors"),
    api("GET", "/v1/decisions/current").catch(() => null),
    api("GET", "/v1/relays").catch(() => ({ relays: [] })),
    api("GET", "/v1/devices").catch(() => ({ devices: [] })),
    api("GET", "/v1/schedules?limit=1").catch(() => ({ schedules: [] })),
  ]);
  state.schedules = schedules.schedules;
  state.sensors = sensors.sensors;
  state.decision = decision;
  state.relays = relays.relays || [];
  state.devices = devices.devices || [];
}

const goTo = (href, text) => () => h("a", { href }, text);

function approveButton(hostId) {
  return (refresh) => h("button", { type: "button", class: "primary", "aria-label": `Approve ${hostId}`,
    onclick: async (event) => {
      try { await api("POST", `/v1/devices/${encodeURIComponent(hostId)}/approve`); refresh(); }
      catch (error) { showError(event.target.closest("li"), error); }
    } }, "Approve");
}

function alertsOf(state) {
  const alerts = [...((state.decision && state.decision.alerts) || [])];
  for (const sensor of state.sensors || []) {
    if (sensor.stale && !sensor.hidden) {
      alerts.push({ code: "stale", action: goTo("#devices", "Check its battery and wiring"),
        message: `${sensor.name || sensor.id} has not reported since ${whenPhrase(sensor.last_seen)}.` });
    }
  }
  for (const relay of state.relays || []) {
    if (relay.failsafe_tripped) {
      alerts.push({ code: "failsafe", action: goTo("#devices", "Check its network and power"),
        message: `${relay.host_id} switched ${relay.function || relay.name} off by itself: it lost the engine (failsafe).` });
    }
  }
  const silent = [...new Set((state.relays || []).filter((r) => r.failsafe_off).map((r) => r.host_id))].sort();
  for (const host of silent) {
    alerts.push({ code: "silent", action: goTo("#devices", "Check that it is powered and online"),
      message: `${host} has not been heard from for longer than its failsafe time: its relays count as off.` });
  }
  const pending = (state.devices || []).filter((d) => d.status === "pending");
  if (pending.length === 1 && can("admin")) {
    const review = goTo("#devices", "Review");
    alerts.push({ code: "pending", message: `${pending[0].host_id} is waiting for approval.`,
      action: (refresh) => [approveButton(pending[0].host_id)(refresh), " ", review()] });
  } else if (pending.length) {
    alerts.push({ code: "pending", action: goTo("#devices", "Review on Devices"), message: pending.length === 1
      ? `${pending[0].host_id} is waiting for approval.` : `${pending.length} devices are waiting for approval.` });
  }
  return alerts;
}

// What each function is doing: the relays as the control daemons last reported
// them (off once a silent daemon's failsafe has turned them off), or the
// engine's own record when no relay has reported yet.
function equipmentOf(state) {
  const decision = state.decision;
  return FUNCTIONS.map((fn) => {
    const relays = (state.relays || []).filter((r) => r.function === fn);
    if (relays.length) return { fn, on: relays.some((r) => r.on && !r.failsafe_off), known: true };
    const record = decision && decision.equipment ? decision.equipment[fn] : null;
    return { fn, on: Boolean(record && record.on), known: Boolean(record) };
  }).filter((e) => e.known);
}

// The quick controls beside the big number, made once per visit like the Adjust panel.
let quick = null;

export function renderNow(container, state, refresh) {
  if (!container.querySelector("#now-hero")) {
    quick = can("write") ? quickAdjust(refresh) : null;
    replace(container,
      h("section", { id: "now-hero", class: "hero", "aria-label": "Now" },
        h("div", { id: "hero-readings", class: "hero-readings" }), quick ? quick.elements : null),
      h("section", { id: "first-run", class: "card", "aria-label": "Getting started" }),
      h("section", { id: "now-alerts", class: "alerts", "aria-label": "Alerts" }),
      h("section", { id: "adjust", class: "adjust", "aria-label": "Adjust" }),
      h("section", { id: "now-rooms", "aria-label": "Rooms" }));
  }
  const adjust = container.querySelector("#adjust");
  if (!can("write")) adjust.hidden = true;
  else if (!adjust.hasChildNodes()) adjustPanel(adjust, state, refresh);
  renderHero(container.querySelector("#hero-readings"), state);
  if (quick) quick.follow(state.decision ? state.decision.instruction : null);
  renderFirstRun(container.querySelector("#first-run"), state);
  renderAlerts(container.querySelector("#now-alerts"), alertsOf(state), refresh);
  renderRooms(container.querySelector("#now-rooms"), state);
}

// The big number is the inside temperature; under it one sentence says what
// the house is doing about it. How the number was made (weights, trend, the
// decision plugin's reasoning) is one tap away, under "Details".
function renderHero(section, state) {
  const decision = state.decision;
  const instruction = decision ? decision.instruction : null;
  const temperature = decision && decision.temperature ? decision.temperature.value : null;
  const weights = decision && decision.temperature ? Object.entries(decision.temperature.weights) : [];
  const names = Object.fromEntries((state.sensors || []).map((s) => [s.id, s.name || s.alias || s.id]));
  const desired = decision ? decision.desired : "idle";
  const open = section.querySelector("details[open]") !== null;
  replace(section,
    h("p", { class: "label", id: "current-temperature-label" }, "Inside"),
    h("p", { class: "big", id: "current-temperature", "aria-describedby": "current-temperature-label" },
      formatTemperature(temperature)),
    h("p", { class: `target state-${desired}`, id: "current-target", "data-state": desired },
      instruction ? describeTarget(instruction, desired) : "Waiting for the engine's first decision…"),
    instruction && instruction.source ? h("p", { class: "muted", id: "current-source" },
      `Set by ${sourcePhrase(instruction.source)}.`) : null,
    browserIsElsewhere() ? h("p", { class: "muted", id: "now-zone" }, `Times in ${homeZone()}`) : null,
    h("div", { class: "doing" },
      h("p", { class: `equipment state-${desired}`, id: "equipment-state", "data-state": desired },
        decision ? DOING[desired] || desired : ""),
      h("ul", { class: "chips", "aria-label": "Equipment" }, equipmentOf(state).map((e) =>
        h("li", { class: `chip ${e.on ? `on state-${e.fn}` : "off"}`, "data-function": e.fn, "data-on": String(e.on) },
          `${e.fn} ${e.on ? "on" : "off"}`)))),
    decision && decision.lockout ? h("p", { class: "lockout", id: "lockout" }, decision.lockout.description) : null,
    decision ? h("details", { class: "details", id: "now-details", open },
      h("summary", {}, "Details"),
      h("p", { class: "reason" }, decision.reason),
      weights.length ? h("p", { class: "weights" }, "Inside is the average of " +
        weights.map(([id, w]) => `${names[id] || id} ${Math.round(Number(w) * 100)} %`).join(", ") + ".") : null,
      h("p", { class: "plugin" }, `Decided by the ${decision.plugin} plugin.`)) : null);
}

// The alerts that a person can act on carry the action: a link to where it is
// done, or the button that does it.
function renderAlerts(section, alerts, refresh) {
  section.hidden = alerts.length === 0;
  replace(section, h("h2", {}, "Alerts"), h("ul", {}, alerts.map((a) =>
    h("li", { class: `alert alert-${a.code}` }, a.message, a.action ? [" ", ...[a.action(refresh)].flat()] : null))));
}

// A sensor nobody named yet shows its raw ID, with the way to name it.
function renderRooms(section, state) {
  const colours = roomColours((state.sensors || []).map((s) => s.id));
  replace(section, h("h2", {}, "Rooms"),
    h("ul", { class: "rooms" }, (state.sensors || []).filter((s) => !s.hidden).map((sensor) =>
      h("li", { class: sensor.stale ? "room stale" : "room", "data-sensor": sensor.id,
        style: `--room:${sensor.outdoor ? OUTDOOR_COLOUR : colours.get(sensor.id)}` },
        h("span", { class: "room-name" }, sensor.room && sensor.room !== sensor.name
          ? `${sensor.room} — ${sensor.name || sensor.id}` : sensor.name || sensor.alias || sensor.id),
        h("span", { class: "room-value" }, formatTemperature(sensor.value)),
        h("span", { class: "room-age" }, sensor.stale ? `not heard from since ${formatAgo(sensor.last_seen)}`
          : formatAgo(sensor.last_seen)),
        sensor.name || sensor.alias || sensor.room || !can("write") ? null
          : h("a", { class: "name-it", href: "#devices" }, "Give this sensor a name")))));
}

// "Heating to 21 °C until 22:30": what the equipment does towards which target.
function describeTarget(instruction, desired) {
  const until = untilPhrase(instruction.until);
  const heat = formatTemperature(instruction.heat_setpoint);
  const cool = formatTemperature(instruction.cool_setpoint);
  if (instruction.mode === "off") return `System off${until}`;
  if (instruction.mode === "heat") return `${desired === "heat" ? "Heating to" : "Heat set to"} ${heat}${until}`;
  if (instruction.mode === "cool") return `${desired === "cool" ? "Cooling to" : "Cool set to"} ${cool}${until}`;
  if (desired === "heat") return `Heating to ${heat}${until}`;
  if (desired === "cool") return `Cooling to ${cool}${until}`;
  return `Keeping between ${heat} and ${cool}${until}`;
}

// The Adjust panel is drawn once per visit of the screen.
function adjustPanel(panel, state, refresh) {
  const instruction = state.decision ? state.decision.instruction : null;
  let mode = instruction ? instruction.mode : "heat";
  let heat = instruction && instruction.heat_setpoint !== null ? instruction.heat_setpoint : 20;
  let cool = instruction && instruction.cool_setpoint !== null ? instruction.cool_setpoint : 24;
  const heatValue = h("output", { class: "setpoint", id: "adjust-heat" });
  const coolValue = h("output", { class: "setpoint", id: "adjust-cool" });
  const modeButtons = MODES.map((m) => h("button", { type: "button", class: "mode", "data-mode": m,
    "aria-pressed": String(m === mode), onclick: () => { mode = m; update(); } }, m));
  const done = h("p", { class: "done", role: "status", id: "adjust-done" });
  const duration = h("select", { id: "adjust-duration" }, DURATIONS.map(([v, text]) => h("option", { value: v }, text)));
  const heatDial = dial("heat", "Heat to", heatValue, (sign) => { heat = bumped(heat, sign); if (cool - heat < 1) cool = heat + 1; update(); });
  const coolDial = dial("cool", "Cool to", coolValue, (sign) => { cool = bumped(cool, sign); if (cool - heat < 1) heat = cool - 1; update(); });
  function update() {
    heatValue.textContent = formatTemperature(heat);
    coolValue.textContent = formatTemperature(cool);
    heatDial.hidden = !(mode === "heat" || mode === "auto");
    coolDial.hidden = !(mode === "cool" || mode === "auto");
    for (const b of modeButtons) b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
  }
  replace(panel,
    h("h2", {}, "Adjust"),
    h("div", { class: "modes", role: "group", "aria-label": "Mode" }, modeButtons),
    heatDial, coolDial,
    h("div", { class: "field" }, h("label", { for: "adjust-duration" }, "How long"), duration),
    h("button", { type: "button", class: "primary wide", id: "adjust-apply", onclick: apply }, "Apply"), done);
  async function apply() {
    const body = { start: "now", mode, name: "Adjusted from the web UI" };
    if (mode === "heat" || mode === "auto") body.heat_setpoint = heat;
    if (mode === "cool" || mode === "auto") body.cool_setpoint = cool;
    if (duration.value === "next_change") body.until = "next_change";
    else body.duration = duration.value;
    try {
      await api("POST", "/v1/overrides", body);
      showError(panel, null);
      done.textContent = `Done: ${mode}${mode === "off" ? "" : " " + describeSetpoints(mode, heat, cool)}, ` +
        `${duration.selectedOptions[0].textContent.toLowerCase()}.`;
      refresh();
    } catch (error) {
      showError(panel, error);
    }
  }
  update();
}

function describeSetpoints(mode, heat, cool) {
  if (mode === "heat") return formatTemperature(heat);
  if (mode === "cool") return formatTemperature(cool);
  return `${formatTemperature(heat)}–${formatTemperature(cool)}`;
}

function bumped(value, sign) {
  return Math.round(fromDisplay(toDisplay(value) + sign * step()) * 10) / 10;
}

function dial(kind, title, value, bump) {
  value.setAttribute("aria-live", "polite");
  value.setAttribute("aria-label", title);
  return h("div", { class: `dial dial-${kind}`, role: "group", "aria-label": title },
    h("span", { class: "dial-title" }, title),
    h("button", { type: "button", class: "step", "aria-label": `Lower ${kind} target`, id: `adjust-${kind}-down`,
      onclick: () => bump(-1) }, "−"),
    value,
    h("button", { type: "button", class: "step", "aria-label": `Raise ${kind} target`, id: `adjust-${kind}-up`,
      onclick: () => bump(1) }, "+"));
}

// "Now": the temperature that counts, the target and until when, what the
// equipment does and why, each room, alerts — and the control to change it.
// Live updates redraw the readings but never the Adjust panel, so a change
// being dialled in is not lost when a reading arrives.
import { api, can } from "../api.js";
import { h, replace, showError } from "../dom.js";
import { formatAgo, formatTemperature, fromDisplay, step, toDisplay } from "../units.js";
import { browserIsElsewhere, formatTime, homeZone } from "../home_time.js";

const MODES = ["off", "heat", "cool", "auto"];
const DURATIONS = [["next_change", "Until the next scheduled change"], ["PT1H", "For 1 hour"],
  ["PT2H", "For 2 hours"], ["PT4H", "For 4 hours"], ["PT8H", "For 8 hours"]];
const DOING = { heat: "Heating", cool: "Cooling", fan: "Fan only", idle: "Idle" };
const FUNCTIONS = ["heat", "cool", "fan"];

export async function loadNow(state) {
  const [sensors, decision, relays, devices] = await Promise.all([
    api("GET", "/v1/sensors"),
    api("GET", "/v1/decisions/current").catch(() => null),
    api("GET", "/v1/relays").catch(() => ({ relays: [] })),
    api("GET", "/v1/devices").catch(() => ({ devices: [] })),
  ]);
  state.sensors = sensors.sensors;
  state.decision = decision;
  state.relays = relays.relays || [];
  state.devices = devices.devices || [];
}

function alertsOf(state) {
  const alerts = [...((state.decision && state.decision.alerts) || [])];
  for (const sensor of state.sensors || []) {
    if (sensor.stale && !sensor.hidden) {
      alerts.push({ code: "stale", message: `${sensor.name || sensor.id} has not reported since ${formatTime(sensor.last_seen)}.` });
    }
  }
  for (const relay of state.relays || []) {
    if (relay.failsafe_tripped) {
      alerts.push({ code: "failsafe", message: `${relay.host_id} switched ${relay.function || relay.name} off by itself: it lost the engine (failsafe).` });
    }
  }
  const silent = [...new Set((state.relays || []).filter((r) => r.failsafe_off).map((r) => r.host_id))].sort();
  for (const host of silent) {
    alerts.push({ code: "silent", link: "#devices", message: `${host} has not been heard from for longer than its failsafe time: its relays count as off.` });
  }
  const pending = (state.devices || []).filter((d) => d.status === "pending");
  if (pending.length) {
    alerts.push({ code: "pending", link: "#devices", message: pending.length === 1
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

export function renderNow(container, state, refresh) {
  if (!container.querySelector("#now-hero")) {
    replace(container,
      h("section", { id: "now-hero", class: "hero", "aria-label": "Now" }),
      h("section", { id: "now-alerts", class: "alerts", "aria-label": "Alerts" }),
      h("section", { id: "adjust", class: "adjust", "aria-label": "Adjust" }),
      h("section", { id: "now-rooms", "aria-label": "Rooms" }));
  }
  const adjust = container.querySelector("#adjust");
  if (!can("write")) adjust.hidden = true;
  else if (!adjust.hasChildNodes()) adjustPanel(adjust, state, refresh);
  renderHero(container.querySelector("#now-hero"), state);
  renderAlerts(container.querySelector("#now-alerts"), alertsOf(state));
  renderRooms(container.querySelector("#now-rooms"), state);
}

function renderHero(section, state) {
  const decision = state.decision;
  const instruction = decision ? decision.instruction : null;
  const temperature = decision && decision.temperature ? decision.temperature.value : null;
  const weights = decision && decision.temperature ? Object.entries(decision.temperature.weights) : [];
  const names = Object.fromEntries((state.sensors || []).map((s) => [s.id, s.name || s.alias || s.id]));
  const desired = decision ? decision.desired : "idle";
  replace(section,
    h("p", { class: "label", id: "current-temperature-label" }, "Temperature that counts"),
    h("p", { class: "big", id: "current-temperature", "aria-describedby": "current-temperature-label" },
      formatTemperature(temperature)),
    weights.length > 1 ? h("p", { class: "muted weights" }, "Average of " +
      weights.map(([id, w]) => `${names[id] || id} ${Math.round(Number(w) * 100)} %`).join(", ")) : null,
    h("p", { class: "target", id: "current-target" }, instruction ? describeTarget(instruction) : "No decision yet"),
    browserIsElsewhere() ? h("p", { class: "muted", id: "now-zone" }, `Times in ${homeZone()}`) : null,
    h("div", { class: "doing" },
      h("p", { class: `equipment state-${desired}`, id: "equipment-state", "data-state": desired },
        decision ? DOING[desired] || desired : "Waiting for the engine's first decision…"),
      h("ul", { class: "chips", "aria-label": "Equipment" }, equipmentOf(state).map((e) =>
        h("li", { class: `chip ${e.on ? `on state-${e.fn}` : "off"}`, "data-function": e.fn, "data-on": String(e.on) },
          `${e.fn} ${e.on ? "on" : "off"}`)))),
    decision ? h("p", { class: "reason muted" }, decision.reason) : null,
    decision && decision.lockout ? h("p", { class: "lockout", id: "lockout" }, decision.lockout.description) : null);
}

function renderAlerts(section, alerts) {
  section.hidden = alerts.length === 0;
  replace(section, h("h2", {}, "Alerts"), h("ul", {}, alerts.map((a) =>
    h("li", { class: `alert alert-${a.code}` }, a.link ? h("a", { href: a.link }, a.message) : a.message))));
}

function renderRooms(section, state) {
  replace(section, h("h2", {}, "Rooms"),
    h("ul", { class: "rooms" }, (state.sensors || []).filter((s) => !s.hidden).map((sensor) =>
      h("li", { class: sensor.stale ? "room stale" : "room", "data-sensor": sensor.id },
        h("span", { class: "room-name" }, sensor.room && sensor.room !== sensor.name
          ? `${sensor.room} — ${sensor.name || sensor.id}` : sensor.name || sensor.alias || sensor.id),
        h("span", { class: "room-value" }, formatTemperature(sensor.value)),
        h("span", { class: "room-age" }, sensor.stale ? `stale — ${formatAgo(sensor.last_seen)}` : formatAgo(sensor.last_seen))))));
}

function describeTarget(instruction) {
  const until = instruction.until ? ` until ${formatTime(instruction.until)}` : "";
  const source = instruction.source ? ` (${instruction.source.split(":")[0]})` : "";
  if (instruction.mode === "off") return `System off${until}${source}`;
  const parts = [];
  if (instruction.mode !== "cool" && instruction.heat_setpoint !== null) parts.push(`heat to ${formatTemperature(instruction.heat_setpoint)}`);
  if (instruction.mode !== "heat" && instruction.cool_setpoint !== null) parts.push(`cool to ${formatTemperature(instruction.cool_setpoint)}`);
  return `${instruction.mode[0].toUpperCase()}${instruction.mode.slice(1)}: ${parts.join(", ")}${until}${source}`;
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

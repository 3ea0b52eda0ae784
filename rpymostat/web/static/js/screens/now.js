// "Now": the temperature that counts, the target and until when, what the
// equipment does and why, each room, alerts — and the control to change it.
import { api, can } from "../api.js";
import { h, replace, showError } from "../dom.js";
import { formatAgo, formatTemperature, formatTime, fromDisplay, step, toDisplay } from "../units.js";

const MODES = ["off", "heat", "cool", "auto"];
const DURATIONS = [["next_change", "Until the next scheduled change"], ["PT1H", "For 1 hour"],
  ["PT2H", "For 2 hours"], ["PT4H", "For 4 hours"], ["PT8H", "For 8 hours"]];

export async function loadNow(state) {
  const [sensors, decision] = await Promise.all([
    api("GET", "/v1/sensors"),
    api("GET", "/v1/decisions/current").catch(() => null),
  ]);
  state.sensors = sensors.sensors;
  state.decision = decision;
  if (can("read")) {
    state.devices = (await api("GET", "/v1/devices").catch(() => ({ devices: [] }))).devices;
  }
}

function alertsOf(state) {
  const alerts = [...((state.decision && state.decision.alerts) || [])];
  for (const sensor of state.sensors || []) {
    if (sensor.stale && !sensor.hidden) {
      alerts.push({ code: "stale", message: `${sensor.name || sensor.id} has not reported since ${formatTime(sensor.last_seen)}.` });
    }
  }
  const pending = (state.devices || []).filter((d) => d.status === "pending");
  if (pending.length) alerts.push({ code: "pending", message: `${pending.length} device(s) waiting for approval.` });
  return alerts;
}

export function renderNow(container, state, refresh) {
  const decision = state.decision;
  const instruction = decision ? decision.instruction : null;
  const temperature = decision && decision.temperature ? decision.temperature.value : null;
  const target = instruction ? (instruction.mode === "cool" ? instruction.cool_setpoint : instruction.heat_setpoint) : null;
  const weights = decision && decision.temperature ? Object.entries(decision.temperature.weights) : [];
  const names = Object.fromEntries((state.sensors || []).map((s) => [s.id, s.name || s.alias || s.id]));
  const alerts = alertsOf(state);
  replace(container,
    h("section", { class: "hero", "aria-live": "polite" },
      h("p", { class: "label" }, "Temperature that counts"),
      h("p", { class: "big", id: "current-temperature" }, formatTemperature(temperature)),
      weights.length > 1 ? h("p", { class: "muted" }, "Weighted: " +
        weights.map(([id, w]) => `${names[id] || id} ×${Number(w).toFixed(2)}`).join(", ")) : null,
      h("p", { class: "target" }, instruction ? describeTarget(instruction) : "No decision yet"),
      h("p", { class: `equipment state-${decision ? decision.desired : "idle"}`, id: "equipment-state" },
        decision ? decision.summary : "Waiting for the engine's first decision…"),
      decision && decision.lockout ? h("p", { class: "lockout" }, decision.lockout.description) : null),
    alerts.length ? h("section", { class: "alerts", "aria-label": "Alerts" },
      h("h2", {}, "Alerts"), h("ul", {}, alerts.map((a) => h("li", { class: `alert alert-${a.code}` }, a.message)))) : null,
    can("write") ? adjustPanel(state, refresh) : null,
    h("section", { "aria-label": "Rooms" }, h("h2", {}, "Rooms"),
      h("ul", { class: "rooms" }, (state.sensors || []).filter((s) => !s.hidden).map((sensor) =>
        h("li", { class: sensor.stale ? "room stale" : "room", "data-sensor": sensor.id },
          h("span", { class: "room-name" }, sensor.name || sensor.alias || sensor.id),
          h("span", { class: "room-value" }, formatTemperature(sensor.value)),
          h("span", { class: "room-age" }, sensor.stale ? `stale — ${formatAgo(sensor.last_seen)}` : formatAgo(sensor.last_seen)))))),
  );
}

function describeTarget(instruction) {
  const until = instruction.until ? ` until ${formatTime(instruction.until)}` : "";
  if (instruction.mode === "off") return `System off${until}`;
  const parts = [];
  if (instruction.mode !== "cool" && instruction.heat_setpoint !== null) parts.push(`heat to ${formatTemperature(instruction.heat_setpoint)}`);
  if (instruction.mode !== "heat" && instruction.cool_setpoint !== null) parts.push(`cool to ${formatTemperature(instruction.cool_setpoint)}`);
  return `${instruction.mode[0].toUpperCase()}${instruction.mode.slice(1)}: ${parts.join(", ")}${until}`;
}

function adjustPanel(state, refresh) {
  const instruction = state.decision ? state.decision.instruction : null;
  let mode = instruction && instruction.mode !== "off" ? instruction.mode : "heat";
  let heat = instruction && instruction.heat_setpoint !== null ? instruction.heat_setpoint : 20;
  let cool = instruction && instruction.cool_setpoint !== null ? instruction.cool_setpoint : 24;
  const value = h("output", { class: "setpoint", id: "adjust-target", "aria-live": "polite" });
  const modeButtons = MODES.map((m) => h("button", { type: "button", class: "mode", "data-mode": m,
    "aria-pressed": String(m === mode), onclick: () => { mode = m; update(); } }, m));
  const duration = h("select", { id: "adjust-duration", "aria-label": "How long" },
    DURATIONS.map(([v, label]) => h("option", { value: v }, label)));
  function current() { return mode === "cool" ? cool : heat; }
  function update() {
    value.textContent = mode === "off" ? "Off" : formatTemperature(current());
    for (const b of modeButtons) b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
  }
  function bump(sign) {
    const delta = fromDisplay(toDisplay(current()) + sign * step()) - current();
    if (mode === "cool") cool = Math.round((cool + delta) * 10) / 10;
    else heat = Math.round((heat + delta) * 10) / 10;
    if (mode === "auto" && cool - heat < 1) cool = heat + 1;
    update();
  }
  const panel = h("section", { class: "adjust", "aria-label": "Adjust" },
    h("h2", {}, "Adjust"),
    h("div", { class: "modes", role: "group", "aria-label": "Mode" }, modeButtons),
    h("div", { class: "dial" },
      h("button", { type: "button", class: "step", "aria-label": "Lower", id: "adjust-down", onclick: () => bump(-1) }, "−"),
      value,
      h("button", { type: "button", class: "step", "aria-label": "Raise", id: "adjust-up", onclick: () => bump(1) }, "+")),
    duration,
    h("button", { type: "button", class: "primary", id: "adjust-apply", onclick: apply }, "Apply"));
  async function apply() {
    const body = { start: "now", mode, name: "Adjusted from the web UI" };
    if (mode === "heat" || mode === "auto") body.heat_setpoint = heat;
    if (mode === "cool" || mode === "auto") body.cool_setpoint = cool;
    if (duration.value === "next_change") body.until = "next_change";
    else body.duration = duration.value;
    try {
      await api("POST", "/v1/overrides", body);
      showError(panel, null);
      refresh();
    } catch (error) {
      showError(panel, error);
    }
  }
  update();
  return panel;
}


// "Devices": daemons (approve or reject, host info, last contact), sensors
// (rename, room, weight, hide, outdoor; an admin deletes one) and relays (assign heat/cool/fan/aux; an admin
// deletes a phantom relay, or every relay of a host, after a confirmation).
import { api, can } from "../api.js";
import { field, h, replace, showError } from "../dom.js";
import { formatAgo, formatTemperature } from "../units.js";

const FUNCTIONS = ["", "heat", "cool", "fan", "aux"];
const STATUS_ORDER = { pending: 0, approved: 1, rejected: 2 };

export async function loadDevices(state) {
  const [sensors, devices, relays, settings] = await Promise.all([
    api("GET", "/v1/sensors"),
    api("GET", "/v1/devices"),
    api("GET", "/v1/relays").catch(() => ({ relays: [] })),
    api("GET", "/v1/schedules/settings").catch(() => ({ effective_sensors: {}, default_sensors: {} })),
  ]);
  state.sensors = sensors.sensors;
  state.devices = devices.devices.slice().sort((a, b) =>
    (STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3) || a.host_id.localeCompare(b.host_id));
  state.relays = relays.relays || [];
  state.weights = settings.effective_sensors || {};
  state.savedWeights = settings.default_sensors || {};
}

export function renderDevices(container, state, refresh) {
  replace(container,
    h("section", { "aria-labelledby": "devices-title" }, h("h2", { id: "devices-title" }, "Devices"),
      state.devices.length ? h("ul", { class: "cards" }, state.devices.map((device) => deviceCard(device, refresh)))
        : h("p", { class: "muted" }, "No daemon has registered yet.")),
    h("section", { "aria-labelledby": "sensors-title" }, h("h2", { id: "sensors-title" }, "Sensors"),
      h("ul", { class: "cards" }, state.sensors.map((sensor) => sensorCard(sensor, state, refresh)))),
    h("section", { "aria-labelledby": "relays-title" }, h("h2", { id: "relays-title" }, "Relays"),
      state.relays.length ? h("ul", { class: "cards" }, state.relays.map((relay) => relayCard(relay, refresh)))
        : h("p", { class: "muted" }, "No control daemon has reported relays yet."),
      can("admin") && state.relays.length ? relayHosts(state.relays, refresh) : null),
  );
}

// Deleting is for phantoms and hosts taken out of service: a control daemon
// that is still approved reports its relays again, which the question says.
const comesBack = (them) => `The history stays; an approved control daemon that still has ${them} reports ${them} again.`;

function relayHosts(relays, refresh) {
  const hosts = [...new Set(relays.map((relay) => relay.host_id))].sort();
  const box = h("div", { class: "relay-hosts" });
  for (const host of hosts) {
    box.append(h("button", { type: "button", "data-relay-host": host, onclick: async () => {
      if (!window.confirm(`Delete every relay of ${host}? ${comesBack("them")}`)) return;
      try { await api("DELETE", `/v1/relays/hosts/${encodeURIComponent(host)}`); refresh(); }
      catch (error) { showError(box, error); }
    } }, `Delete every relay of ${host}`));
  }
  return box;
}

function deviceCard(device, refresh) {
  const info = device.info || {};
  const card = h("li", { class: `card device status-${device.status}`, "data-host": device.host_id },
    h("h3", {}, device.host_id),
    h("p", {}, `${device.kind} daemon — `, h("strong", { class: "device-status" }, device.status)),
    h("p", { class: "muted" }, `Fingerprint ${device.fingerprint}; last contact ${formatAgo(device.last_seen)}`),
    info.hostname ? h("p", { class: "muted" }, `${info.hostname}${info.addresses ? " — " + info.addresses.join(", ") : ""}` +
      `${info.software_version ? " — v" + info.software_version : ""}`) : null);
  if (can("admin") && device.status !== "approved") {
    card.append(h("button", { type: "button", class: "primary", "aria-label": `Approve ${device.host_id}`,
      onclick: () => act("approve") }, "Approve"));
  }
  if (can("admin") && device.status !== "rejected") {
    card.append(h("button", { type: "button", "aria-label": `Reject ${device.host_id}`, onclick: () => act("reject") },
      "Reject"));
  }
  async function act(action) {
    try { await api("POST", `/v1/devices/${encodeURIComponent(device.host_id)}/${action}`); refresh(); }
    catch (error) { showError(card, error); }
  }
  return card;
}

// An outdoor sensor never counts as the indoor temperature: marking one
// takes it out of the saved default weights first (the engine refuses to
// mark a sensor that a weight or a rule still names, and says which).
function sensorCard(sensor, state, refresh) {
  const weights = state.weights;
  const editable = can("write");
  const key = sensor.id.replace(/[^A-Za-z0-9_-]/g, "_");
  const name = h("input", { type: "text", id: `sensor-${key}-name`, value: sensor.name || "",
    placeholder: sensor.alias || sensor.id, disabled: !editable });
  const room = h("input", { type: "text", id: `sensor-${key}-room`, value: sensor.room || "", disabled: !editable });
  const weight = h("input", { type: "number", id: `sensor-${key}-weight`, min: 0, step: "0.5", inputmode: "decimal",
    value: weights[sensor.id] ?? 0, disabled: !editable, "aria-describedby": `sensor-${key}-weight-help` });
  const hidden = h("input", { type: "checkbox", id: `sensor-${key}-hidden`, checked: sensor.hidden, disabled: !editable });
  const outdoor = h("input", { type: "checkbox", id: `sensor-${key}-outdoor`, checked: sensor.outdoor,
    disabled: !editable, onchange: () => { weight.disabled = !editable || outdoor.checked; } });
  weight.disabled = !editable || sensor.outdoor;
  const card = h("li", { class: sensor.outdoor ? "card sensor outdoor" : "card sensor", "data-sensor": sensor.id },
    h("h3", {}, sensor.name || sensor.alias || sensor.id),
    h("p", {}, `${formatTemperature(sensor.value)} — ${sensor.outdoor ? "outdoor, " : ""}${sensor.type} on ` +
      `${sensor.host_id}` + (sensor.stale ? " — stale" : "")),
    field("Name", name), field("Room", room), field("Weight", weight),
    h("p", { class: "muted", id: `sensor-${key}-weight-help` }, "How much it counts in the temperature that counts; " +
      "0 leaves it out. An outdoor sensor never counts: it is charted and feeds the weather forecast."),
    h("label", { class: "inline", for: hidden.id }, hidden, "Hidden"),
    h("label", { class: "inline", for: outdoor.id }, outdoor, "Outdoor sensor"));
  if (editable) {
    card.append(h("button", { type: "button", "aria-label": `Save ${sensor.name || sensor.id}`, onclick: save }, "Save"));
  }
  if (can("admin")) {
    card.append(h("button", { type: "button", "aria-label": `Delete ${sensor.name || sensor.id}`, onclick: remove }, "Delete"));
  }
  // Hiding keeps a sensor and its history; deleting is for one taken out of service or never meant to be.
  async function remove() {
    if (!window.confirm(`Delete ${sensor.name || sensor.id} and its history? If its daemon reports it again, ` +
      "it comes back as a new sensor.")) return;
    try { await api("DELETE", `/v1/sensors/${encodeURIComponent(sensor.id)}`); refresh(); }
    catch (error) { showError(card, error); }
  }
  async function save() {
    try {
      if (outdoor.checked && !sensor.outdoor && sensor.id in state.savedWeights) {
        const next = { ...state.savedWeights };
        delete next[sensor.id];
        await api("PATCH", "/v1/schedules/settings", { default_sensors: next });
      }
      await api("PATCH", `/v1/sensors/${encodeURIComponent(sensor.id)}`,
        { name: name.value || null, room: room.value || null, hidden: hidden.checked, outdoor: outdoor.checked });
      const wanted = Number(weight.value) || 0;
      if (!outdoor.checked && wanted !== (weights[sensor.id] ?? 0)) {
        const next = { ...weights };
        if (wanted > 0) next[sensor.id] = wanted; else delete next[sensor.id];
        await api("PATCH", "/v1/schedules/settings", { default_sensors: next });
      }
      refresh();
    } catch (error) { showError(card, error); }
  }
  return card;
}

function relayCard(relay, refresh) {
  const label = relay.name || relay.id;
  const select = h("select", { id: `relay-${relay.id.replace(/[^A-Za-z0-9_-]/g, "_")}`, disabled: !can("admin") },
    FUNCTIONS.map((f) => h("option", { value: f, selected: (relay.function || "") === f }, f || "unassigned")));
  // A silent daemon's failsafe has turned its relays off, whatever they last reported.
  const on = relay.on && !relay.failsafe_off;
  const state = relay.failsafe_off ? "Off (its daemon is silent: failsafe)" : on ? "On" : "Off";
  const card = h("li", { class: `card relay ${on ? "on" : "off"}`, "data-relay": relay.id },
    h("h3", {}, label), h("p", { class: "relay-state" }, `${state} — ${relay.host_id || ""}` +
      (relay.pin !== undefined && relay.pin !== null ? `, pin ${relay.pin}` : "")),
    field("Function", select));
  if (can("admin")) {
    card.append(h("button", { type: "button", "aria-label": `Assign ${label}`, onclick: assign }, "Assign"),
      h("button", { type: "button", "aria-label": `Delete ${relay.id}`, onclick: remove }, "Delete"));
  }
  async function remove() {
    if (!window.confirm(`Delete relay ${relay.id}? ${comesBack("it")}`)) return;
    try { await api("DELETE", `/v1/relays/${encodeURIComponent(relay.id)}`); refresh(); }
    catch (error) { showError(card, error); }
  }
  async function assign() {
    try { await api("PUT", `/v1/relays/${encodeURIComponent(relay.id)}`, { function: select.value || null }); refresh(); }
    catch (error) { showError(card, error); }
  }
  return card;
}

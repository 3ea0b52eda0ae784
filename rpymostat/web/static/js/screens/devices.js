// "Devices": sensors (rename, room, hide), daemons (approve or reject, host
// info, last contact) and relays (assign heat/cool/fan/aux).
import { api, can } from "../api.js";
import { h, replace, showError } from "../dom.js";
import { formatAgo, formatTemperature } from "../units.js";

const FUNCTIONS = ["", "heat", "cool", "fan", "aux"];

export async function loadDevices(state) {
  const [sensors, devices, relays] = await Promise.all([
    api("GET", "/v1/sensors"),
    api("GET", "/v1/devices"),
    api("GET", "/v1/relays").catch(() => ({ relays: [] })),
  ]);
  state.sensors = sensors.sensors;
  state.devices = devices.devices;
  state.relays = relays.relays || [];
}

export function renderDevices(container, state, refresh) {
  replace(container,
    h("section", { "aria-label": "Devices" }, h("h2", {}, "Devices"),
      h("ul", { class: "cards" }, state.devices.map((device) => deviceCard(device, refresh)))),
    h("section", { "aria-label": "Sensors" }, h("h2", {}, "Sensors"),
      h("ul", { class: "cards" }, state.sensors.map((sensor) => sensorCard(sensor, refresh)))),
    h("section", { "aria-label": "Relays" }, h("h2", {}, "Relays"),
      state.relays.length ? h("ul", { class: "cards" }, state.relays.map((relay) => relayCard(relay, refresh)))
        : h("p", { class: "muted" }, "No control daemon has reported relays yet.")),
  );
}

function deviceCard(device, refresh) {
  const info = device.info || {};
  const card = h("li", { class: `card device status-${device.status}`, "data-host": device.host_id },
    h("h3", {}, device.host_id),
    h("p", {}, `${device.kind} daemon — `, h("strong", {}, device.status)),
    h("p", { class: "muted" }, `Fingerprint ${device.fingerprint}; last contact ${formatAgo(device.last_seen)}`),
    info.hostname ? h("p", { class: "muted" }, `${info.hostname}${info.addresses ? " — " + info.addresses.join(", ") : ""}` +
      `${info.software_version ? " — v" + info.software_version : ""}`) : null);
  if (can("admin") && device.status !== "approved") {
    card.append(h("button", { type: "button", class: "primary", onclick: () => act("approve") }, "Approve"));
  }
  if (can("admin") && device.status !== "rejected") {
    card.append(h("button", { type: "button", onclick: () => act("reject") }, "Reject"));
  }
  async function act(action) {
    try { await api("POST", `/v1/devices/${encodeURIComponent(device.host_id)}/${action}`); refresh(); }
    catch (error) { showError(card, error); }
  }
  return card;
}

function sensorCard(sensor, refresh) {
  const name = h("input", { type: "text", value: sensor.name || "", placeholder: sensor.alias || sensor.id,
    "aria-label": `Name of ${sensor.id}`, disabled: !can("write") });
  const room = h("input", { type: "text", value: sensor.room || "", placeholder: "Room",
    "aria-label": `Room of ${sensor.id}`, disabled: !can("write") });
  const hidden = h("input", { type: "checkbox", checked: sensor.hidden, disabled: !can("write"),
    "aria-label": `Hide ${sensor.id}` });
  const card = h("li", { class: "card sensor", "data-sensor": sensor.id },
    h("h3", {}, sensor.name || sensor.alias || sensor.id),
    h("p", {}, `${formatTemperature(sensor.value)} — ${sensor.type} on ${sensor.host_id}` +
      (sensor.stale ? " — stale" : "")),
    h("label", {}, "Name ", name), h("label", {}, "Room ", room), h("label", { class: "inline" }, hidden, " Hidden"));
  if (can("write")) {
    card.append(h("button", { type: "button", onclick: save }, "Save"));
  }
  async function save() {
    try {
      await api("PATCH", `/v1/sensors/${encodeURIComponent(sensor.id)}`,
        { name: name.value || null, room: room.value || null, hidden: hidden.checked });
      refresh();
    } catch (error) { showError(card, error); }
  }
  return card;
}

function relayCard(relay, refresh) {
  const select = h("select", { "aria-label": `Function of ${relay.name || relay.id}`, disabled: !can("admin") },
    FUNCTIONS.map((f) => h("option", { value: f, selected: (relay.function || "") === f }, f || "unassigned")));
  const card = h("li", { class: `card relay ${relay.on ? "on" : "off"}`, "data-relay": relay.id },
    h("h3", {}, relay.name || relay.id), h("p", {}, `${relay.on ? "On" : "Off"} — ${relay.host_id || ""}`),
    h("label", {}, "Function ", select));
  if (can("admin")) {
    card.append(h("button", { type: "button", onclick: assign }, "Assign"));
  }
  async function assign() {
    try { await api("PUT", `/v1/relays/${encodeURIComponent(relay.id)}`, { function: select.value || null }); refresh(); }
    catch (error) { showError(card, error); }
  }
  return card;
}

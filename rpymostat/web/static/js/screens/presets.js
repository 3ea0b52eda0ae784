// "Presets": named targets (home, away, sleep, eco and your own) that schedules,
// overrides and the presence reaction can name; changing one changes every rule using it.
import { api, can } from "../api.js";
import { field, h, replace, showFieldErrors } from "../dom.js";
import { fromDisplay, step, toDisplay, unit } from "../units.js";

export async function loadPresets(state) {
  state.presets = (await api("GET", "/v1/presets")).presets;
}

export function renderPresets(container, state, refresh) {
  replace(container,
    h("section", { "aria-labelledby": "presets-title" }, h("h2", { id: "presets-title" }, "Presets"),
      h("p", { class: "muted" }, "Schedules and overrides can name a preset instead of temperatures; " +
        "changing a preset here changes every rule that names it."),
      h("ul", { class: "cards" }, state.presets.map((preset) => presetCard(preset, refresh))),
      can("write") ? newPreset(refresh) : null),
  );
}

// Shown and typed in the user's unit; sent in °C, rounded to a tenth so °F round-trips.
function numberInput(name, celsius, label) {
  return h("input", { type: "number", step: String(step()), min: String(Math.round(toDisplay(5))),
    max: String(Math.round(toDisplay(35))), name, value: Math.round(toDisplay(celsius) * 10) / 10,
    required: true, "aria-label": label, disabled: !can("write") });
}

function targets(inputs) {
  const celsius = (input) => Math.round(fromDisplay(Number(input.value)) * 10) / 10;
  return { heat_setpoint: celsius(inputs.heat_setpoint), cool_setpoint: celsius(inputs.cool_setpoint) };
}

function presetCard(preset, refresh) {
  const inputs = {
    heat_setpoint: numberInput("heat_setpoint", preset.heat_setpoint, `${preset.name}: heat to`),
    cool_setpoint: numberInput("cool_setpoint", preset.cool_setpoint, `${preset.name}: cool to`),
  };
  const form = h("form", { class: "card preset", "data-preset": preset.name, onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("PUT", `/v1/presets/${encodeURIComponent(preset.name)}`, targets(inputs));
      refresh();
    } catch (error) { showFieldErrors(form, error, inputs); }
  } },
  h("h3", {}, preset.name),
  field(`Heat to (°${unit()})`, inputs.heat_setpoint), field(`Cool to (°${unit()})`, inputs.cool_setpoint),
  h("p", { class: "muted" }, preset.used_by.length ? `Used by ${preset.used_by.join(", ")}` : "Not used by a rule"),
  can("write") ? h("button", { type: "submit", class: "primary" }, "Save") : null,
  can("write") && !preset.built_in ? h("button", { type: "button", onclick: async () => {
    try { await api("DELETE", `/v1/presets/${encodeURIComponent(preset.name)}`); refresh(); }
    catch (error) { showFieldErrors(form, error, inputs); }
  } }, `Delete ${preset.name}`) : null);
  return h("li", {}, form);
}

function newPreset(refresh) {
  const inputs = {
    name: h("input", { type: "text", name: "name", required: true, pattern: "[a-z0-9][a-z0-9_\\-]{0,31}",
      spellcheck: "false" }),
    heat_setpoint: numberInput("heat_setpoint", 20, "New preset: heat to"),
    cool_setpoint: numberInput("cool_setpoint", 25, "New preset: cool to"),
  };
  const form = h("form", { class: "new-preset", onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("PUT", `/v1/presets/${encodeURIComponent(inputs.name.value.trim())}`, targets(inputs));
      refresh();
    } catch (error) { showFieldErrors(form, error, inputs); }
  } },
  h("h3", {}, "New preset"),
  field("Name (a-z, 0-9, _ and -)", inputs.name), field(`Heat to (°${unit()})`, inputs.heat_setpoint),
  field(`Cool to (°${unit()})`, inputs.cool_setpoint), h("button", { type: "submit", class: "primary" }, "Add preset"));
  return form;
}

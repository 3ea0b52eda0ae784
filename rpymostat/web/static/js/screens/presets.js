// "Presets": named targets (home, away, sleep, eco and your own) that schedules,
// overrides and the presence reaction can name; changing one changes every rule using it.
import { api, can } from "../api.js";
import { field, h, replace, showFieldErrors } from "../dom.js";

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

function numberInput(name, value, label) {
  return h("input", { type: "number", step: "0.5", min: "5", max: "35", name, value: value ?? "",
    required: true, "aria-label": label, disabled: !can("write") });
}

function presetCard(preset, refresh) {
  const inputs = {
    heat_setpoint: numberInput("heat_setpoint", preset.heat_setpoint, `${preset.name}: heat to`),
    cool_setpoint: numberInput("cool_setpoint", preset.cool_setpoint, `${preset.name}: cool to`),
  };
  const form = h("form", { class: "card preset", "data-preset": preset.name, onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("PUT", `/v1/presets/${encodeURIComponent(preset.name)}`, {
        heat_setpoint: Number(inputs.heat_setpoint.value), cool_setpoint: Number(inputs.cool_setpoint.value) });
      refresh();
    } catch (error) { showFieldErrors(form, error, inputs); }
  } },
  h("h3", {}, preset.name),
  field("Heat to (°C)", inputs.heat_setpoint), field("Cool to (°C)", inputs.cool_setpoint),
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
      await api("PUT", `/v1/presets/${encodeURIComponent(inputs.name.value.trim())}`, {
        heat_setpoint: Number(inputs.heat_setpoint.value), cool_setpoint: Number(inputs.cool_setpoint.value) });
      refresh();
    } catch (error) { showFieldErrors(form, error, inputs); }
  } },
  h("h3", {}, "New preset"),
  field("Name (a-z, 0-9, _ and -)", inputs.name), field("Heat to (°C)", inputs.heat_setpoint),
  field("Cool to (°C)", inputs.cool_setpoint), h("button", { type: "submit", class: "primary" }, "Add preset"));
  return form;
}

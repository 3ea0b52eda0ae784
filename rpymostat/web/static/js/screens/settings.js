// "Settings": display units, kiosk mode, the home's time zone, the decision
// and weather plugins (each a form made from its JSON Schema) and, for
// admins, API keys.
import { api, can, session } from "../api.js";
import { h, replace, showError, showFieldErrors, field } from "../dom.js";
import { schemaForm } from "../schema_form.js";
import { setUnit, unit } from "../units.js";

export async function loadSettings(state) {
  const [plugins, keys, settings, model] = await Promise.all([
    api("GET", "/v1/plugins"),
    can("admin") ? api("GET", "/v1/keys") : { keys: [] },
    api("GET", "/v1/schedules/settings"),
    api("GET", "/v1/model"),
  ]);
  state.plugins = plugins;
  state.model = model;
  state.keys = keys.keys;
  state.scheduleSettings = settings;
}

export function renderSettings(container, state, refresh, app) {
  replace(container, displaySection(app, state), zoneSection(state.scheduleSettings, refresh),
    modelSection(state.model, refresh),
    pluginSection(state, refresh, "decisions", "Decision plugin", "plugin"),
    pluginSection(state, refresh, "weather", "Weather plugin", "weather-plugin"),
    can("admin") ? keysSection(state, refresh) : null);
}

// What the engine learned of the house (one entry per set of sensors that
// counted), in its own sentence, how far it trusts it, and a way to forget it
// (after a change to the house or the equipment the engine does not notice).
function modelSection(model, refresh) {
  const entries = model.models.map((entry) => h("li", { class: "card model" },
    h("p", { class: "model-summary" }, entry.summary),
    h("p", { class: "muted" }, `Early starts: ${entry.confidence.heat || entry.confidence.cool ? "on" : "not yet"} — ${entry.confidence.reason}.`)));
  const forget = can("write") ? h("button", { type: "button", id: "forget-model", onclick: async (event) => {
    if (!window.confirm("Forget everything learned about the house? Early starts stop until it has learned again (a few days).")) return;
    try { await api("DELETE", "/v1/model"); refresh(); } catch (error) { showError(event.target.parentNode, error); }
  } }, "Forget what it learned") : null;
  return h("section", { "aria-label": "What it learned", id: "house-model" }, h("h2", {}, "What it learned"),
    entries.length ? h("ul", { class: "cards" }, entries)
      : h("p", { class: "muted" }, "Nothing yet: it learns from every run of the heating or cooling."),
    forget);
}

function displaySection(app, state) {
  const units = h("select", { id: "unit", onchange: (e) => { setUnit(e.target.value); app.render(); } },
    ["C", "F"].map((u) => h("option", { value: u, selected: unit() === u }, `°${u}`)));
  const kiosk = h("input", { type: "checkbox", id: "kiosk", checked: document.body.classList.contains("kiosk"),
    onchange: (e) => app.setKiosk(e.target.checked) });
  return h("section", { "aria-label": "Display" }, h("h2", {}, "Display"),
    field("Units", units), h("label", { class: "inline", for: "kiosk" }, kiosk, "Wall-tablet mode (dark, large, stays on)"),
    h("p", { class: "muted" }, `Signed in as ${session.name} (${session.role}).`));
}

// Every IANA zone the browser knows, offered as suggestions; the engine checks
// the name against its own time zone data and says so when it does not know it.
function zoneNames() {
  return typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
}

// The home's zone is the engine's, for every user: schedules run in it and the
// decision tells times in it. Empty follows the engine's RPYMOSTAT_TIMEZONE.
function zoneSection(settings, refresh) {
  const editable = can("write");
  const zone = h("input", { type: "text", id: "timezone", list: "timezone-names", value: settings.timezone || "",
    placeholder: settings.timezone ? null : settings.effective_timezone, disabled: !editable, spellcheck: "false",
    autocomplete: "off", "aria-describedby": "timezone-help" });
  const inputs = { timezone: zone };
  const form = h("form", { id: "timezone-form", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("PATCH", "/v1/schedules/settings", { timezone: zone.value.trim() || null });
      showFieldErrors(form, null, inputs);
      refresh();
    } catch (error) { showFieldErrors(form, error, inputs); }
  } },
  h("p", { id: "timezone-effective" }, `Schedules follow ${settings.effective_timezone}` +
    (settings.timezone ? "." : ", the engine's RPYMOSTAT_TIMEZONE.")),
  field("Home time zone", zone),
  h("p", { id: "timezone-help", class: "muted" }, "An IANA name such as Europe/London. Left empty, the engine's " +
    "RPYMOSTAT_TIMEZONE applies. Schedules are evaluated, and times are told, in this zone."),
  h("datalist", { id: "timezone-names" }, zoneNames().map((name) => h("option", { value: name }))),
  editable ? h("button", { type: "submit", class: "primary" }, "Save time zone") : null);
  return h("section", { "aria-label": "Time zone" }, h("h2", {}, "Time zone"), form);
}

// One section per plugin kind: choose the plugin, then its options from its schema.
function pluginSection(state, refresh, kind, title, id) {
  const plugins = state.plugins[kind];
  const choice = h("select", { id, disabled: !can("write") },
    plugins.available.map((p) => h("option", { value: p.name, selected: p.name === plugins.active }, p.name)));
  const holder = h("div");
  const section = h("section", { "aria-label": title }, h("h2", {}, title), field("Plugin", choice), holder);
  let form;
  function show() {
    const plugin = plugins.available.find((p) => p.name === choice.value);
    form = schemaForm(plugin.options_schema, plugin.name === plugins.active ? plugins.options : {}, !can("write"));
    replace(holder, h("p", { class: "muted" }, plugin.description), form.element,
      can("write") ? h("button", { type: "button", class: "primary", onclick: save }, "Use these settings") : null);
  }
  async function save() {
    try { await api("PUT", `/v1/plugins/${kind}`, { name: choice.value, options: form.read() }); refresh(); }
    catch (error) { showError(section, error); }
  }
  choice.addEventListener("change", show);
  show();
  return section;
}

function keysSection(state, refresh) {
  const name = h("input", { type: "text", id: "key-name", maxlength: 64 });
  const role = h("select", { id: "key-role" }, ["read", "write", "admin"].map((r) => h("option", { value: r }, r)));
  const shown = h("output", { id: "new-key", class: "secret" });
  const section = h("section", { "aria-label": "API keys" }, h("h2", {}, "API keys"),
    h("ul", { class: "cards" }, state.keys.map(keyCard)),
    h("h3", {}, "New key"), field("Name", name), field("Role", role),
    h("button", { type: "button", class: "primary", onclick: create }, "Create key"), shown);
  function keyCard(key) {
    const inUse = key.id === session.id;
    const actions = h("div", { class: "key-actions" });
    const card = h("li", { class: "card", "data-key": key.id },
      h("h3", {}, key.name), h("p", {}, `${key.role} — ${key.revoked_at ? "revoked" : "live"}`),
      inUse ? h("p", { class: "key-in-use" }, "In use: this browser is signed in with this key.") : null,
      actions);
    // Revoking cannot be undone, so the button only asks; the card then says what will happen.
    function ask() {
      replace(actions, h("p", { role: "alert" }, `Revoke ${key.name}? Whatever uses it is locked out at once; `
        + "this cannot be undone." + (inUse ? " This browser is signed in with it and will be signed out." : "")),
      h("button", { type: "button", class: "danger", onclick: () => revoke(key) }, "Yes, revoke"),
      h("button", { type: "button", onclick: idle }, "Cancel"));
    }
    function idle() {
      replace(actions, key.revoked_at ? null : h("button", { type: "button", "aria-label": `Revoke ${key.name}`,
        onclick: ask }, "Revoke"));
    }
    idle();
    return card;
  }
  async function create() {
    try {
      const made = await api("POST", "/v1/keys", { name: name.value, role: role.value });
      shown.textContent = `New key (shown once): ${made.key}`;
      name.value = "";
    } catch (error) { showError(section, error); }
  }
  async function revoke(key) {
    try { await api("DELETE", `/v1/keys/${encodeURIComponent(key.id)}`); refresh(); }
    catch (error) { showError(section, error); }
  }
  return section;
}

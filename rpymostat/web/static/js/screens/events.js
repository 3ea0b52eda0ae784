// "Events": what devices said happened (window, door, motion, presence...), newest
// first and live, and the built-in reactions with an on/off switch each.
import { api, can } from "../api.js";
import { h, replace, showError } from "../dom.js";
import { formatAgo } from "../units.js";

const SHOWN = 50;
const TITLES = { window: "Pause heating and cooling while a window is open",
  presence: "Switch to a preset while everyone is away" };
const EXPLAINED = {
  window: "A window contact, or a fast drop in temperature while heating, tells the thermostat a window is open " +
    "in a room it heats.",
  presence: "Phones or presence sensors tell who is home; when the last person leaves, the preset's targets apply " +
    "until someone is back.",
};

export async function loadEvents(state) {
  const [events, reactions, rules] = await Promise.all([
    api("GET", `/v1/events?full=true&limit=${SHOWN}`),
    api("GET", "/v1/reactions"),
    api("GET", "/v1/reactions/rules"),
  ]);
  state.events = events.events;
  state.reactions = reactions.reactions;
  state.rules = rules.rules;
}

export function renderEvents(container, state, refresh) {
  replace(container,
    h("section", { "aria-labelledby": "reactions-title" }, h("h2", { id: "reactions-title" }, "Reactions"),
      h("ul", { class: "cards" }, state.reactions.map((reaction) => reactionCard(reaction, refresh)),
        state.rules.map((rule) => ruleCard(rule, refresh)))),
    h("section", { "aria-labelledby": "events-title" }, h("h2", { id: "events-title" }, "Events"),
      state.events.length ? eventTable(state.events)
        : h("p", { class: "muted" }, "No device has told of an event yet.")),
  );
}

function reactionCard(reaction, refresh) {
  const toggle = h("input", { type: "checkbox", role: "switch",
    checked: reaction.enabled, disabled: !can("write"), onchange: async () => {
      try { await api("PATCH", `/v1/reactions/${reaction.name}`, { enabled: toggle.checked }); refresh(); }
      catch (error) { toggle.checked = !toggle.checked; showError(card, error); }
    } });
  const card = h("li", { class: "card reaction", "data-reaction": reaction.name },
    h("label", { class: "inline" }, toggle, TITLES[reaction.name] || reaction.name),
    h("p", { class: "muted" }, EXPLAINED[reaction.name] || reaction.description),
    detail(reaction),
    reaction.in_force ? h("p", { class: "in-force", role: "status" }, `In force: ${reaction.in_force.reason}`) : null);
  return card;
}

// The user's own rules (made through /v1/reactions/rules): a switch and a delete button each.
function ruleCard(rule, refresh) {
  const { id, in_force: inForce, ...body } = rule;
  const toggle = h("input", { type: "checkbox", role: "switch", checked: rule.enabled, disabled: !can("write"),
    onchange: async () => {
      try { await api("PUT", `/v1/reactions/rules/${id}`, { ...body, enabled: toggle.checked }); refresh(); }
      catch (error) { toggle.checked = !toggle.checked; showError(card, error); }
    } });
  const when = Object.entries(rule.when).filter(([, value]) => value !== "*").map(([name, value]) => `${name} ${value}`);
  const doing = { preset: `switch to preset ${rule.preset}`, step: `move the targets by ${rule.step} °C`,
    pause: "pause heating and cooling" }[rule.action];
  const card = h("li", { class: "card reaction", "data-rule": id },
    h("label", { class: "inline" }, toggle, rule.name || `Rule ${id}`),
    h("p", {}, `When ${when.join(", ") || "any event"}: ${doing}.`),
    inForce ? h("p", { class: "in-force", role: "status" }, "In force now.") : null,
    can("write") ? h("button", { type: "button", onclick: async () => {
      try { await api("DELETE", `/v1/reactions/rules/${id}`); refresh(); } catch (error) { showError(card, error); }
    } }, `Delete ${rule.name || "rule"}`) : null);
  return card;
}

function detail(reaction) {
  if (reaction.name === "window") {
    const open = reaction.open.map((w) => `${w.location} (${formatAgo(w.since)})`).join(", ");
    return h("p", {}, `After ${Math.round(reaction.delay)} s, at most ${Math.round(reaction.max_pause / 60)} min. ` +
      `Open now: ${open || "none"}.`);
  }
  const away = reaction.people.filter((p) => !p.home).map((p) => p.name);
  const home = reaction.people.filter((p) => p.home).map((p) => p.name);
  return h("p", {}, `Preset: ${reaction.preset}. Home: ${home.join(", ") || "nobody known"}; ` +
    `away: ${away.join(", ") || "nobody known"}.`);
}

function eventTable(events) {
  // Wider than a phone: the scrolling box takes the keyboard focus so it can be scrolled without a pointer.
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Events log" },
    h("table", { class: "events-log" },
    h("thead", {}, h("tr", {}, ["When", "Device", "Where", "What", "Value", "From"].map((name) =>
      h("th", { scope: "col" }, name)))),
    h("tbody", {}, events.map((event) => h("tr", { "data-event": event.id },
      h("td", {}, formatAgo(event.at)), h("td", {}, event.device), h("td", {}, event.location),
      h("td", {}, event.action), h("td", {}, event.value === null ? "—" : String(event.value)),
      h("td", {}, event.client))))));
}

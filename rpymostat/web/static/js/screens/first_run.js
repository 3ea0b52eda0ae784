// A fresh engine's Now screen starts with what is left to set up — a sensor
// reporting, a relay given a function, a schedule — each with how to do it.
// It goes away once all three are done.
import { h, replace } from "../dom.js";

function steps(state) {
  const pending = (state.devices || []).filter((d) => d.status === "pending").length;
  return [
    { id: "sensor", title: "A sensor reporting", done: (state.sensors || []).some((s) => !s.stale),
      how: pending ? "A daemon is waiting for your approval: approve it under Devices, and its sensors report."
        : "Start rpymostat-sensor on a Raspberry Pi with a temperature sensor (a DS18B20, for example) on the same " +
          "network; it finds this engine by itself. Then approve it under Devices.",
      link: ["#devices", "Open Devices"] },
    { id: "relay", title: "A relay for the heating or cooling", done: (state.relays || []).some((r) => r.function),
      how: "Start rpymostat-control on the Pi wired to the furnace or heat pump, approve it under Devices, then give " +
        "its relays a function: heat, cool or fan.",
      link: ["#devices", "Open Devices"] },
    { id: "schedule", title: "A week schedule", done: (state.schedules || []).length > 0,
      how: "Under Schedule, tap a day, split it into blocks, give each block a temperature and copy the day to the others.",
      link: ["#schedule", "Open Schedule"] },
  ];
}

export function renderFirstRun(section, state) {
  const list = steps(state);
  section.hidden = list.every((step) => step.done);
  if (section.hidden) { replace(section); return; }
  replace(section, h("h2", {}, "Getting started"),
    h("p", {}, `${list.filter((s) => s.done).length} of ${list.length} done. What this thermostat still needs:`),
    h("ol", { class: "first-run" }, list.map((step) =>
      h("li", { class: step.done ? "step done-step" : "step", "data-step": step.id },
        h("strong", {}, step.title), " — ", h("span", { class: "step-state" }, step.done ? "done" : "to do"),
        step.done ? null : [h("p", { class: "how" }, step.how), h("a", { href: step.link[0] }, step.link[1])]))));
}

// Adjust at hand, as on a wall thermostat: − and + beside the big temperature
// move the target in force by a step, and one tap holds it until the next
// scheduled change or for 2 hours. The full Adjust panel below still sets the
// mode and longer spells.
//
// Built once per visit of the Now screen: a reading that arrives while a
// target is being dialled in does not reset it; a new instruction does, until
// the first tap.
import { api } from "../api.js";
import { h, showError } from "../dom.js";
import { formatTemperature, fromDisplay, step, toDisplay } from "../units.js";

const HOLDS = [["next_change", "Hold until next change"], ["PT2H", "For 2 h"]];

function bumped(value, sign) {
  return Math.round(fromDisplay(toDisplay(value) + sign * step()) * 10) / 10;
}

// The target a tap moves: heating's in heat mode, cooling's in cool mode, both together in auto.
function targetOf(instruction) {
  if (!instruction || instruction.mode === "off") return null;
  return { mode: instruction.mode, heat: instruction.heat_setpoint, cool: instruction.cool_setpoint };
}

function shown(target) {
  if (target.mode === "heat") return `Heat to ${formatTemperature(target.heat)}`;
  if (target.mode === "cool") return `Cool to ${formatTemperature(target.cool)}`;
  return `Between ${formatTemperature(target.heat)} and ${formatTemperature(target.cool)}`;
}

export function quickAdjust(refresh) {
  let target = null;
  let touched = false;
  const value = h("output", { class: "quick-target", id: "quick-target", "aria-live": "polite" });
  const said = h("p", { class: "done", role: "status", id: "quick-done" });
  const bump = (sign) => {
    if (!target) return;
    touched = true;
    if (target.heat !== null) target.heat = bumped(target.heat, sign);
    if (target.cool !== null) target.cool = bumped(target.cool, sign);
    draw();
  };
  const down = h("button", { type: "button", class: "step quick-down", id: "quick-down", "aria-label": "Lower the target",
    onclick: () => bump(-1) }, "−");
  const up = h("button", { type: "button", class: "step quick-up", id: "quick-up", "aria-label": "Raise the target",
    onclick: () => bump(1) }, "+");
  const holds = HOLDS.map(([how, text]) => h("button", { type: "button", class: "hold", "data-hold": how,
    onclick: () => hold(how, text) }, text));
  const row = h("div", { class: "quick", role: "group", "aria-label": "Quick adjust" }, value, h("div", { class: "holds" }, holds), said);

  async function hold(how, text) {
    if (!target) return;
    const body = { start: "now", mode: target.mode, name: "Adjusted from the web UI" };
    if (target.heat !== null && target.mode !== "cool") body.heat_setpoint = target.heat;
    if (target.cool !== null && target.mode !== "heat") body.cool_setpoint = target.cool;
    if (how === "next_change") body.until = "next_change"; else body.duration = how;
    try {
      await api("POST", "/v1/overrides", body);
      showError(row, null);
      said.textContent = `${shown(target)}: ${text.toLowerCase()}.`;
      touched = false;
      refresh();
    } catch (error) { showError(row, error); }
  }

  function draw() {
    const off = target === null;
    for (const element of [down, up, row]) element.hidden = off;
    if (!off) value.textContent = shown(target);
  }

  return {
    elements: [down, up, row],
    follow(instruction) {
      if (touched) return;
      target = targetOf(instruction);
      draw();
    },
  };
}

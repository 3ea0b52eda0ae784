// Temperatures are °C on the wire; the user may prefer °F for display and input.
import { engineNow } from "./clock.js";

const UNIT_STORAGE = "rpymostat.unit";

export function unit() { return localStorage.getItem(UNIT_STORAGE) || "C"; }
export function setUnit(value) { localStorage.setItem(UNIT_STORAGE, value === "F" ? "F" : "C"); }

export function toDisplay(celsius) {
  return unit() === "F" ? celsius * 9 / 5 + 32 : celsius;
}

export function fromDisplay(value) {
  return unit() === "F" ? (value - 32) * 5 / 9 : value;
}

export function formatTemperature(celsius, digits = 1) {
  if (celsius === null || celsius === undefined) return "—";
  return `${toDisplay(celsius).toFixed(digits)} °${unit()}`;
}

export function step() { return unit() === "F" ? 1 : 0.5; }

export function formatAgo(iso) {
  if (!iso) return "never";
  const seconds = Math.max(0, (engineNow() - new Date(iso).getTime()) / 1000);
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

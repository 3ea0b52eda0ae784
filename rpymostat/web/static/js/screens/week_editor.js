// The week grid on the Schedule screen: a row of time blocks per day. Tap a
// day to edit it below the grid; drag an edge between two blocks to move it;
// split, remove and set blocks; copy a day to others; then save, which writes
// schedule rules through the API (week_model.js says which). A block asks for
// a preset (Home, Sleep, … from /v1/presets, shown by name in its own colour,
// with the preset's targets as they are now) or for temperatures. What applies
// outside every block — the default instruction — is edited here too.
//
// The draft survives the screen's reloads (a live update, a saved rule
// elsewhere) until it is saved or thrown away, so nothing dialled in is lost.
import { api, can } from "../api.js";
import { h, replace, showError } from "../dom.js";
import { formatTemperature, fromDisplay, step, toDisplay, unit } from "../units.js";
import { DAY_MINUTES, DAY_NAMES, STEP, clock, daysLabel, instructionOf, moveEdge, removeBlock, ruleEffect,
  rulesFromWeek, setSetting, settingOf, split, weekFromRules } from "../week_model.js";

const MODES = [["heat", "Heat"], ["cool", "Cool"], ["auto", "Heat and cool"]];
const PRESET_MODES = [["heat", "Heating"], ["cool", "Cooling"], ["auto", "Heating and cooling"]];
// As many as app.css has preset colours; past that, colours repeat.
const PRESET_COLOURS = 8;
// `said` is the last thing done, kept for the redraw that follows a save.
const draft = { week: null, saved: null, day: 0, dirty: false, said: "" };

function savedSignature(schedules) { return schedules.map(ruleEffect).sort().join(";"); }

// The presets as the engine has them now (built-in first), set on each draw:
// a preset block shows the preset's current targets, and its place here picks its colour.
let presets = [];

function presetTitle(name) { return name.charAt(0).toUpperCase() + name.slice(1); }

// What a setting asks for in numbers: for a preset, its targets the block's mode uses; null for an unknown preset.
function targetsOf(setting) {
  if (!setting.preset) return setting;
  const preset = presets.find((p) => p.name === setting.preset);
  if (!preset) return null;
  return { mode: setting.mode, heat: setting.mode === "cool" ? null : preset.heat_setpoint,
    cool: setting.mode === "heat" ? null : preset.cool_setpoint };
}

function settingLabel(setting, fallback) {
  if (!setting) return fallback ? `${settingLabel(fallback)} (outside schedule)` : "Outside schedule";
  if (setting.preset) {
    const targets = targetsOf(setting);
    return `${presetTitle(setting.preset)} (${targets ? settingLabel(targets) : "no such preset"})`;
  }
  if (setting.mode === "off") return "Off";
  const parts = [];
  if (setting.heat !== null) parts.push(formatTemperature(setting.heat, 1));
  if (setting.cool !== null) parts.push(formatTemperature(setting.cool, 1));
  return `${{ heat: "Heat", cool: "Cool", auto: "Heat/cool" }[setting.mode]} ${parts.join("–")}`;
}

// A band's colour names its setting: warm for heat, blue for cool, grey for
// default/off, and one colour of its own per preset.
function settingClass(setting) {
  if (!setting) return "setting-default";
  if (!setting.preset) return `setting-${setting.mode}`;
  const index = presets.findIndex((p) => p.name === setting.preset);
  return index < 0 ? "setting-preset" : `setting-preset preset-colour-${index % PRESET_COLOURS}`;
}

// What the chooser shows fields for: a new kind redraws it.
function settingKind(setting) { return !setting ? "default" : setting.preset ? "preset" : setting.mode; }

export function weekEditor(state, refresh) {
  presets = state.presets;
  const schedules = state.schedules;
  const signature = savedSignature(schedules);
  if (!draft.dirty || draft.week === null) {
    draft.week = weekFromRules(schedules).week;
    draft.saved = signature;
    draft.dirty = false;
  }
  const fallback = state.scheduleSettings.default_instruction
    ? settingOf(state.scheduleSettings.default_instruction) : null;
  const editable = can("write");
  const section = h("section", { id: "week-editor", "aria-labelledby": "week-editor-title" });
  const grid = h("div", { class: "week-grid", id: "week-grid" });
  const dayPanel = h("div", { class: "card day-editor", id: "day-editor" });
  const status = h("p", { class: "done", role: "status", id: "week-status" }, draft.said);
  const say = (text) => { draft.said = text; status.textContent = text; };
  // Someone saved other rules (here or elsewhere) while this draft was being made.
  const elsewhere = draft.dirty && draft.saved !== signature
    ? h("p", { class: "alert", id: "week-changed" }, "The saved week changed since you started editing; " +
      "Save week replaces it with yours, Discard changes shows the saved one.") : null;

  // A new temperature only redraws the grid: the day's panel stays, so the
  // button a person goes on to press is still there when the press lands.
  function change(day, blocks, panelToo = true) {
    draft.week[day] = blocks;
    draft.dirty = true;
    say("");
    drawGrid();
    if (panelToo) drawDay();
  }

  function selectDay(day) {
    draft.day = day;
    drawGrid();
    drawDay();
  }

  // One row per day; its track is drawn for the eye and the pointer (the same
  // edits are buttons and fields in the day's panel, for the keyboard).
  function drawGrid() {
    replace(grid, h("div", { class: "week-hours", "aria-hidden": "true" },
      [0, 6, 12, 18, 24].map((hour) => h("span", { style: `left:${(hour / 24) * 100}%` }, clock(hour * 60).slice(0, 2)))),
    draft.week.map((blocks, day) => {
      const track = h("div", { class: "track", "aria-hidden": "true", "data-day": day });
      blocks.forEach((block, index) => {
        const width = ((block.end - block.start) / DAY_MINUTES) * 100;
        track.append(h("div", { class: `block ${settingClass(block.setting)}`, "data-start": clock(block.start),
          title: `${wallTime(block.start)}–${wallTime(block.end)} ${settingLabel(block.setting, fallback)}`,
          style: `left:${(block.start / DAY_MINUTES) * 100}%;width:${width}%` },
        blockLabel(block.setting, width)));
        if (index > 0 && editable) {
          track.append(h("div", { class: "edge", "data-edge": index, style: `left:${(block.start / DAY_MINUTES) * 100}%` }));
        }
      });
      if (editable) dragging(track, day);
      return h("div", { class: day === draft.day ? "day-row selected" : "day-row", "data-day": day },
        // The name starts with the text shown ("Mon"), then tells the day's blocks to a screen reader.
        h("button", { type: "button", class: "day-name", "aria-pressed": String(day === draft.day),
          onclick: () => selectDay(day) }, DAY_NAMES[day].slice(0, 3),
        h("span", { class: "visually-hidden" }, `: edit ${DAY_NAMES[day]}, ` +
          blocks.map((b) => `${wallTime(b.start)} ${settingLabel(b.setting, fallback)}`).join(", "))),
        track);
    }));
  }

  // Pointer on a track: an edge follows the finger to the nearest step; a tap elsewhere picks the day.
  function dragging(track, day) {
    track.addEventListener("pointerdown", (event) => {
      const edge = event.target.closest(".edge");
      if (!edge) { selectDay(day); return; }
      event.preventDefault();
      const index = Number(edge.dataset.edge);
      const box = track.getBoundingClientRect();
      const minuteAt = (x) => Math.round(((x - box.left) / box.width) * DAY_MINUTES);
      if (draft.day !== day) { draft.day = day; drawDay(); }
      const move = (e) => {
        const moved = moveEdge(draft.week[day], index, minuteAt(e.clientX));
        draft.week[day] = moved;
        edge.style.left = `${(moved[index].start / DAY_MINUTES) * 100}%`;
        const blocks = track.querySelectorAll(".block");
        for (const i of [index - 1, index]) {
          blocks[i].style.left = `${(moved[i].start / DAY_MINUTES) * 100}%`;
          blocks[i].style.width = `${((moved[i].end - moved[i].start) / DAY_MINUTES) * 100}%`;
        }
      };
      const stop = () => {
        track.removeEventListener("pointermove", move);
        track.removeEventListener("pointerup", stop);
        track.removeEventListener("pointercancel", stop);
        change(day, draft.week[day]);
      };
      track.setPointerCapture(event.pointerId);
      track.addEventListener("pointermove", move);
      track.addEventListener("pointerup", stop);
      track.addEventListener("pointercancel", stop);
    });
  }

  function drawDay() {
    const day = draft.day;
    const blocks = draft.week[day];
    const others = DAY_NAMES.map((name, d) => d).filter((d) => d !== day);
    const copyBoxes = others.map((d) => h("input", { type: "checkbox", id: `copy-to-${d}`, value: d }));
    const pick = (days) => copyBoxes.forEach((box) => { box.checked = days.includes(Number(box.value)); });
    replace(dayPanel,
      h("h3", { id: "day-editor-title" }, DAY_NAMES[day]),
      h("ol", { class: "blocks" }, blocks.map((block, index) => blockRow(day, blocks, block, index))),
      editable ? h("fieldset", { class: "copy" }, h("legend", {}, `Copy ${DAY_NAMES[day]} to`),
        h("div", { class: "copy-days" }, copyBoxes.map((box, i) =>
          h("label", { class: "inline", for: box.id }, box, DAY_NAMES[others[i]].slice(0, 3)))),
        h("button", { type: "button", onclick: () => pick([0, 1, 2, 3, 4]) }, "Weekdays"),
        h("button", { type: "button", onclick: () => pick([5, 6]) }, "Weekend"),
        h("button", { type: "button", onclick: () => pick([0, 1, 2, 3, 4, 5, 6]) }, "Every day"),
        h("button", { type: "button", id: "copy-day", onclick: () => {
          const targets = copyBoxes.filter((box) => box.checked).map((box) => Number(box.value));
          if (!targets.length) return;
          for (const d of targets) draft.week[d] = draft.week[day].map((b) => ({ ...b }));
          change(day, draft.week[day]);
          say(`Copied ${DAY_NAMES[day]} to ${daysLabel(targets)}.`);
        } }, "Copy")) : null);
  }

  // A block: when it starts (the first starts at midnight), until when, and what it asks for.
  function blockRow(day, blocks, block, index) {
    const name = `${DAY_NAMES[day]} block ${index + 1}`;
    const start = h("input", { type: "time", step: STEP * 60, value: clock(block.start), disabled: !editable || index === 0,
      "aria-label": `${name} starts`, onchange: () => {
        const [hh, mm] = start.value.split(":").map(Number);
        if (!Number.isNaN(hh)) change(day, moveEdge(draft.week[day], index, hh * 60 + mm));
      } });
    const chooser = settingChooser(name, block.setting, fallback, (setting) => {
      const next = setSetting(draft.week[day], index, setting);
      change(day, next, next.length !== blocks.length || settingKind(setting) !== settingKind(block.setting));
    }, editable);
    return h("li", { class: `block-row ${settingClass(block.setting)}`, "data-block": index },
      h("div", { class: "when" }, start, h("span", {}, ` to ${wallTime(block.end)}`)),
      chooser,
      editable ? h("div", { class: "block-actions" },
        h("button", { type: "button", "aria-label": `Split ${name}`, disabled: block.end - block.start < 2 * STEP,
          onclick: () => change(day, split(draft.week[day], index)) }, "Split"),
        blocks.length > 1 ? h("button", { type: "button", "aria-label": `Remove ${name}`,
          onclick: () => change(day, removeBlock(draft.week[day], index)) }, "Remove") : null) : null);
  }

  async function save() {
    const wanted = rulesFromWeek(draft.week);
    const owned = weekFromRules(schedules).owned;
    const keep = new Set(wanted.map(ruleEffect));
    const have = new Set(owned.map(ruleEffect));
    try {
      for (const rule of owned) {
        if (!keep.has(ruleEffect(rule))) await api("DELETE", `/v1/schedules/${encodeURIComponent(rule.id)}`);
      }
      for (const body of wanted) {
        if (!have.has(ruleEffect(body))) await api("POST", "/v1/schedules", body);
      }
      draft.dirty = false;
      showError(section, null);
      say("Week saved.");
      refresh();
    } catch (error) {
      showError(section, error);
      refresh();
    }
  }

  // The default instruction: chosen here, saved with its own button (it is not part of the week's draft).
  const defaultPanel = h("div", { class: "card", id: "default-instruction" });
  function drawDefault(shown) {
    let setting = shown;
    replace(defaultPanel, h("h3", {}, "Outside every schedule"),
      h("p", { class: "muted" }, "What the house keeps to where no block of the week applies."),
      settingChooser("Outside every schedule", setting, null, (chosen) => {
        if (settingKind(chosen) === settingKind(setting)) setting = chosen; else drawDefault(chosen);
      }, editable, false),
      editable ? h("button", { type: "button", id: "save-default", onclick: async () => {
        try {
          await api("PATCH", "/v1/schedules/settings", { default_instruction: instructionOf(setting) });
          showError(defaultPanel, null);
          say(`Outside every schedule: ${settingLabel(setting)}.`);
          refresh();
        } catch (error) { showError(defaultPanel, error); }
      } }, "Save outside-schedule setting") : null);
  }
  drawDefault(fallback || { mode: "heat", heat: 16, cool: null });

  replace(section, h("h2", { id: "week-editor-title" }, "Week schedule"),
    h("p", { class: "muted" }, "Tap a day to edit it; drag the line between two blocks to move it. Times at home."),
    elsewhere, grid, dayPanel,
    editable ? h("div", { class: "week-actions" },
      h("button", { type: "button", class: "primary", id: "save-week", onclick: save }, "Save week"),
      h("button", { type: "button", id: "discard-week", onclick: () => { draft.dirty = false; draft.week = null; refresh(); } },
        "Discard changes")) : null,
    status, defaultPanel);
  drawGrid();
  drawDay();
  return section;
}

// A time of day as this browser writes times (06:30 or 6:30 AM, like the
// time fields beside it); the end of the day is "midnight".
const timeFormat = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
function wallTime(minutes) {
  return minutes === DAY_MINUTES ? "midnight" : timeFormat.format(minutes * 60000);
}

function shortLabel(setting) {
  if (!setting) return "";
  if (setting.mode === "off") return "off";
  return [setting.heat, setting.cool].filter((v) => v !== null).map((v) => `${toDisplay(v).toFixed(0)}°`).join("–");
}

// What a block of `width` (% of the day) says: a preset by name, with its
// targets in small print where there is room (to the tenth: they change in
// half degrees); temperatures in short.
function blockLabel(setting, width) {
  if (!setting || !setting.preset) return width > 9 ? shortLabel(setting) : "";
  const targets = targetsOf(setting);
  const degrees = targets ? [targets.heat, targets.cool].filter((v) => v !== null)
    .map((v) => `${Math.round(toDisplay(v) * 10) / 10}°`).join("–") : "";
  return [width > 12 ? h("span", {}, presetTitle(setting.preset)) : null,
    width > 20 && degrees ? h("small", {}, degrees) : null];
}

// The mode a block newly set to a preset takes: the one it had, else the
// outside-schedule one, else heating.
function usualMode(setting, fallback) {
  const modes = PRESET_MODES.map(([value]) => value);
  return [setting, fallback].map((s) => s && s.mode).find((mode) => modes.includes(mode)) || "heat";
}

// A preset (and the mode it is used in), or a mode and temperatures, for a
// block (or for the default, which cannot be "default").
function settingChooser(name, setting, fallback, changed, editable, allowDefault = true) {
  const chosen = setting ? (setting.preset ? `preset:${setting.preset}` : setting.mode) : "default";
  const option = (value, text) => h("option", { value, selected: chosen === value }, text);
  const mode = h("select", { "aria-label": `${name} setting`, disabled: !editable },
    allowDefault ? option("default", fallback ? `Outside-schedule setting (${settingLabel(fallback)})`
      : "Outside-schedule setting") : null,
    presets.length ? h("optgroup", { label: "Presets" },
      presets.map((preset) => option(`preset:${preset.name}`, presetTitle(preset.name)))) : null,
    h("optgroup", { label: "Temperatures" }, MODES.map(([value, text]) => option(value, text))),
    option("off", "Off"));
  const presetMode = h("select", { "aria-label": `${name} preset used for`, disabled: !editable, onchange: emit },
    PRESET_MODES.map(([value, text]) => h("option", { value, selected: usualMode(setting, fallback) === value }, text)));
  const base = setting && !setting.preset ? setting : fallback && !fallback.preset ? fallback
    : { mode: "heat", heat: 20, cool: 24 };
  const number = (kind, value) => h("input", { type: "number", step: String(step()), inputmode: "decimal",
    "aria-label": `${name} ${kind} to (°${unit()})`, disabled: !editable,
    value: toDisplay(value ?? (kind === "heat" ? 20 : 24)).toFixed(1), onchange: emit });
  const heat = number("heat", base.heat);
  const cool = number("cool", base.cool);
  function read() {
    if (mode.value === "default") return null;
    if (mode.value.startsWith("preset:")) return { mode: presetMode.value, preset: mode.value.slice("preset:".length) };
    const celsius = (input) => Math.round(fromDisplay(Number(input.value)) * 10) / 10;
    return { mode: mode.value, heat: mode.value === "heat" || mode.value === "auto" ? celsius(heat) : null,
      cool: mode.value === "cool" || mode.value === "auto" ? celsius(cool) : null };
  }
  function emit() { changed(read()); }
  mode.addEventListener("change", emit);
  return h("div", { class: "setting" }, mode,
    chosen.startsWith("preset:") ? h("label", { class: "inline" }, "Used for", presetMode) : null,
    chosen === "heat" || chosen === "auto" ? h("label", { class: "inline" }, "Heat to", heat) : null,
    chosen === "cool" || chosen === "auto" ? h("label", { class: "inline" }, "Cool to", cool) : null);
}

// A settings form generated from a plugin's JSON Schema, so the UI can
// configure a plugin it has never seen. Handles the flat object schemas
// plugins declare: numbers, integers, booleans, strings and enums.
import { h, field } from "./dom.js";

export function schemaForm(schema, values, disabled) {
  const inputs = {};
  const fields = [];
  for (const [name, spec] of Object.entries(schema.properties || {})) {
    const current = values[name] !== undefined ? values[name] : spec.default;
    let input;
    if (spec.enum) {
      input = h("select", { name, disabled }, ...spec.enum.map((option) =>
        h("option", { value: String(option), selected: option === current }, String(option))));
    } else if (spec.type === "boolean") {
      input = h("input", { type: "checkbox", name, checked: Boolean(current), disabled });
    } else if (spec.type === "number" || spec.type === "integer") {
      input = h("input", { type: "number", name, value: current ?? "", step: spec.type === "integer" ? 1 : "any",
        min: spec.minimum, max: spec.maximum, disabled });
    } else {
      input = h("input", { type: "text", name, value: current ?? "", maxlength: spec.maxLength, disabled });
    }
    inputs[name] = { input, spec };
    const text = spec.title || spec.description || name;
    // A checkbox sits inside its label, which makes the whole line its (44 px) target.
    fields.push(spec.type === "boolean" && !spec.enum ? h("label", { class: "inline" }, input, text) : field(text, input));
  }
  function read() {
    const result = {};
    for (const [name, { input, spec }] of Object.entries(inputs)) {
      if (spec.type === "boolean") result[name] = input.checked;
      else if (spec.type === "number") { if (input.value !== "") result[name] = Number(input.value); }
      else if (spec.type === "integer") { if (input.value !== "") result[name] = parseInt(input.value, 10); }
      else if (input.value !== "") result[name] = input.value;
    }
    return result;
  }
  return { element: h("div", { class: "schema-form" }, fields), read };
}

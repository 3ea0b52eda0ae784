// A tiny DOM builder: h("button", {onclick}, "text") — no framework, no build step.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function replace(container, ...children) {
  container.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

let fieldCount = 0;

export function field(labelText, input, error) {
  const id = input.id || `field-${++fieldCount}`;
  input.id = id;
  const message = h("p", { class: "field-error", id: `${id}-error` }, error || "");
  input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), `${id}-error`].filter(Boolean).join(" "));
  return h("div", { class: "field" }, h("label", { for: id }, labelText), input, message);
}

export function showError(container, error) {
  const box = container.querySelector(".form-error") || container.appendChild(h("p", { class: "form-error", role: "alert" }));
  box.textContent = error ? error.message || String(error) : "";
}

// The input an error's `field` points at: the field itself ("heat_setpoint"),
// or the input holding the part it names ("instruction.heat_setpoint", "cron.day").
export function inputForField(field, inputs) {
  if (!field) return null;
  const parts = field.split(".");
  for (let end = parts.length; end > 0; end--) {
    const whole = parts.slice(0, end).join(".");
    if (inputs[whole]) return inputs[whole];
  }
  return parts.map((part) => inputs[part]).find(Boolean) || null;
}

// Show an error next to the input its `field` names, or under the form when
// it names none of them.
export function showFieldErrors(form, error, inputs) {
  for (const input of Object.values(inputs)) {
    input.removeAttribute("aria-invalid");
    const box = document.getElementById(`${input.id}-error`);
    if (box) box.textContent = "";
  }
  showError(form, null);
  if (!error) return;
  const message = error.message || String(error);
  const input = inputForField(error.field, inputs);
  const box = input ? document.getElementById(`${input.id}-error`) : null;
  if (!box) { showError(form, error); return; }
  input.setAttribute("aria-invalid", "true");
  box.setAttribute("role", "alert");
  box.textContent = message;
  input.focus();
}

// The width the content of an element may use, for drawings made to size.
export function contentWidth(element) {
  const style = getComputedStyle(element);
  return element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

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

// The engine's errors name the field at fault ("end must be after start"):
// show the message next to that field, or under the form when none is named.
export function showFieldErrors(form, error, inputs) {
  for (const input of Object.values(inputs)) {
    input.removeAttribute("aria-invalid");
    const box = document.getElementById(`${input.id}-error`);
    if (box) box.textContent = "";
  }
  showError(form, null);
  if (!error) return;
  const message = error.message || String(error);
  const named = Object.entries(inputs)
    .map(([name, input]) => [message.search(new RegExp(`\\b${name}\\b`)), input])
    .filter(([at]) => at >= 0).sort((a, b) => a[0] - b[0]);
  const box = named.length ? document.getElementById(`${named[0][1].id}-error`) : null;
  if (!box) { showError(form, error); return; }
  named[0][1].setAttribute("aria-invalid", "true");
  box.setAttribute("role", "alert");
  box.textContent = message;
  named[0][1].focus();
}

// The width the content of an element may use, for drawings made to size.
export function contentWidth(element) {
  const style = getComputedStyle(element);
  return element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

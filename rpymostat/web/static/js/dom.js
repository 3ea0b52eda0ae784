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

export function field(labelText, input, error) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  const message = h("p", { class: "field-error", role: "alert", id: `${id}-error` }, error || "");
  input.setAttribute("aria-describedby", `${id}-error`);
  return h("div", { class: "field" }, h("label", { for: id }, labelText), input, message);
}

export function showError(container, error) {
  const box = container.querySelector(".form-error") || container.appendChild(h("p", { class: "form-error", role: "alert" }));
  box.textContent = error ? error.message || String(error) : "";
}

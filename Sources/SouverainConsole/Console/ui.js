// Small DOM helpers. Text is always set as text (never as HTML), so a bucket or key name
// cannot inject markup; the Content-Security-Policy refuses inline script besides.

/** h("div", {class: "x", onclick: f}, "text", child) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "value") element.value = value;
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A message line: kind is "error", "ok" or "info". */
export function notice(kind, text) {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

export function formatBytes(size) {
  const n = Number(size);
  if (!Number.isFinite(n)) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDate(text) {
  if (!text) return "";
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** A table of rows (arrays of cells) under a header row. */
export function table(headers, rows, attributes = {}) {
  return h("table", attributes,
    h("thead", {}, h("tr", {}, headers.map((name) => h("th", {}, name)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))));
}

/**
 * A button that asks for confirmation in place: the first click shows "Confirm" and "Cancel";
 * only "Confirm" runs the action.
 */
export function confirmButton(label, question, action, attributes = {}) {
  const holder = h("span", { class: "confirm" });
  const start = h("button", { type: "button", class: "danger", ...attributes, onclick: () => ask() }, label);
  function ask() {
    fill(holder,
      h("span", { class: "question" }, question, " "),
      h("button", { type: "button", class: "danger", "data-confirm": "yes", onclick: async () => { fill(holder, "…"); await action(); } }, "Confirm"),
      " ",
      h("button", { type: "button", onclick: () => fill(holder, start) }, "Cancel"));
  }
  return fill(holder, start);
}

/** JSON as a table when it is a list of flat objects, otherwise as indented text. */
export function renderJSON(value) {
  const list = Array.isArray(value) ? value : null;
  if (list && list.length && list.every((item) => item && typeof item === "object" && !Array.isArray(item))) {
    const columns = [...new Set(list.flatMap((item) => Object.keys(item)))];
    return table(columns, list.map((item) => columns.map((c) => cellText(item[c]))));
  }
  if (list && !list.length) return h("p", { class: "muted" }, "None.");
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

function cellText(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

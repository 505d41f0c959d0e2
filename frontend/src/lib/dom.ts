// A tiny element builder: screens are plain functions that return DOM nodes.
// Text always goes in as text nodes, so nothing from the API is parsed as HTML.

type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, unknown>;

/** h creates an element: h("button", { type: "button", onclick: f }, "Save"). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") {
        el.addEventListener(k.slice(2), v as EventListener);
      } else if (k === "class") {
        el.className = String(v);
      } else if (k === "value" && "value" in el) {
        (el as HTMLInputElement).value = String(v);
      } else if (k === "checked" && el instanceof HTMLInputElement) {
        el.checked = Boolean(v);
      } else if (v === true) {
        el.setAttribute(k, "");
      } else {
        el.setAttribute(k, String(v));
      }
    }
  }
  append(el, children);
  return el;
}

/** append adds children (nested arrays, strings, nodes) to a parent. */
export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
}

/** clear removes every child of a node. */
export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

let idCounter = 0;
/** uid returns a document-unique id for label/for and aria pairs. */
export function uid(prefix = "f"): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** field builds a labelled control with an optional hint and error slot. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid();
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: id + "-hint" }, hint) : null;
  const err = h("p", { class: "error", id: id + "-error", role: "alert", hidden: true });
  const described = [hintEl ? id + "-hint" : "", id + "-error"].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", described);
  return h("div", { class: "field" }, h("label", { for: id }, label), hintEl, control, err);
}

/** setFieldError shows (or clears, with "") the error under a control made by field(). */
export function setFieldError(control: HTMLElement, message: string): void {
  const err = document.getElementById(control.id + "-error");
  if (!err) return;
  err.textContent = message;
  err.hidden = message === "";
  if (message) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
}

/** announce reads a message out to screen readers through the page's live region. */
export function announce(message: string): void {
  const live = document.getElementById("live");
  if (live) {
    live.textContent = "";
    // A fresh text node after clearing makes screen readers speak a repeat.
    setTimeout(() => (live.textContent = message), 30);
  }
}

/** onAttached runs f once el is in the document (maps need their size); it gives up when the screen is left. */
export function onAttached(el: HTMLElement, f: () => void): void {
  let tries = 0;
  const check = () => {
    if (el.isConnected) f();
    else if (++tries < 600) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

/** Column is a table header: its label and whether it holds numbers (right-aligned). */
export interface Column {
  label: string;
  num?: boolean;
}

/**
 * dataTable builds a scrollable table with column headers; rows go in body.
 * On a narrow screen the wrapper scrolls sideways, so it is a labelled,
 * focusable region: keyboard users can scroll it too.
 */
export function dataTable(columns: Column[], body: HTMLTableSectionElement | Child[], attrs: Props = {}): HTMLElement {
  const tbody = body instanceof HTMLTableSectionElement ? body : h("tbody", null, body);
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": String(attrs["aria-label"] ?? columns.map((c) => c.label).join(", ")) },
    h("table", attrs, h("thead", null, h("tr", null, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : undefined }, c.label)))), tbody),
  );
}

/** download hands a file made in the page to the browser's download. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser time to start the download before the URL is revoked.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

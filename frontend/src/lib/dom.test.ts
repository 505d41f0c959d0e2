// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { field, h, setFieldError } from "./dom";
import { readConfig } from "../map/config";

describe("h", () => {
  it("puts text in as text, never as markup", () => {
    const el = h("p", null, "<img src=x onerror=alert(1)>", 3, null, false, ["a", h("b", null, "c")]);
    expect(el.querySelector("img")).toBeNull();
    expect(el.textContent).toBe("<img src=x onerror=alert(1)>3ac");
  });

  it("sets attributes, booleans and listeners", () => {
    let clicked = 0;
    const b = h("button", { type: "button", disabled: true, hidden: false, "aria-label": "Go", onclick: () => clicked++ });
    expect(b.getAttribute("type")).toBe("button");
    expect(b.hasAttribute("disabled")).toBe(true);
    expect(b.hasAttribute("hidden")).toBe(false);
    expect(b.getAttribute("aria-label")).toBe("Go");
    b.disabled = false;
    b.click();
    expect(clicked).toBe(1);
  });
});

describe("field", () => {
  it("labels the control and wires hint and error for screen readers", () => {
    const input = h("input", { id: "amt" });
    const wrap = field("Amount", input, "In dollars");
    document.body.append(wrap);
    expect(wrap.querySelector("label")!.getAttribute("for")).toBe("amt");
    expect(input.getAttribute("aria-describedby")).toBe("amt-hint amt-error");
    setFieldError(input, "Too small");
    expect(document.getElementById("amt-error")!.textContent).toBe("Too small");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    setFieldError(input, "");
    expect(document.getElementById("amt-error")!.hidden).toBe(true);
    expect(input.hasAttribute("aria-invalid")).toBe(false);
  });
});

describe("readConfig", () => {
  it("reads the tile settings the server wrote into the page", () => {
    document.head.innerHTML =
      '<meta name="commonground-tile-url" content=" https://tiles.example.org/{z}/{x}/{y}.png ">' +
      '<meta name="commonground-tile-attribution" content="© Example">';
    expect(readConfig(document)).toEqual({ tileUrl: "https://tiles.example.org/{z}/{x}/{y}.png", tileAttribution: "© Example" });
    document.head.innerHTML = "";
    expect(readConfig(document)).toEqual({ tileUrl: "", tileAttribution: "" });
  });
});

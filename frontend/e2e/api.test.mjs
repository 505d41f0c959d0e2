// The app against the real Common Ground API: the Go server started with a
// fresh embedded store, the built app served by vite preview on the same
// origin. Covers what the server has routes for; no fixtures.

import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { axe, launch, settle, shot, startStack } from "./harness.mjs";

let stack;
let browser;
let page;

before(async () => {
  stack = await startStack();
  browser = await launch();
});

afterEach(async (t) => {
  if (!page || page.isClosed()) return;
  await shot(page, "api-" + t.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60)).catch(() => {});
  await page.close();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** freshPage opens a page with no session left over from an earlier test. */
async function freshPage() {
  await browser.context.clearCookies();
  const p = await browser.context.newPage();
  await p.goto(stack.baseURL + "/favicon.svg");
  await p.evaluate(() => localStorage.clear());
  return p;
}

async function noSeriousViolations(where) {
  const v = await axe(page);
  assert.deepEqual(v, [], `${where}: axe found serious or critical violations:\n${JSON.stringify(v, null, 2)}`);
}

describe("accounts against the real API", () => {
  it("registers, stays signed in through the refresh cookie, signs out and in, and keeps the account's language", async () => {
    page = await freshPage();
    const email = `rosa.${Date.now()}@example.org`;
    const password = "bear creek commons 2020";
    await page.goto(stack.baseURL + "/sign-up");
    await settle(page);
    await page.getByLabel("Your name").fill("Rosa Martínez");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await noSeriousViolations("sign up");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForSelector("header >> text=Sign out");

    // The access token lives in memory only: a reload signs in again
    // through the HttpOnly refresh cookie, which scripts cannot read.
    assert.equal(await page.evaluate(() => document.cookie), "");
    await page.reload();
    await settle(page);
    await page.waitForSelector("header >> text=Sign out");

    // Choosing Spanish while signed in is saved on the account: with this
    // device's choice forgotten, the account's setting still wins.
    await page.getByLabel("Language").selectOption("es");
    await page.waitForSelector("header >> text=Cerrar sesión");
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await settle(page);
    await page.waitForSelector("header >> text=Cerrar sesión");
    assert.equal(await page.locator("html").getAttribute("lang"), "es");

    await page.getByRole("button", { name: "Cerrar sesión" }).click();
    await page.waitForSelector("header >> text=Iniciar sesión");
    // Signed out, with no choice kept on this device, the browser's
    // language decides again.
    await page.reload();
    await settle(page);
    await page.waitForSelector("header >> text=Sign in");
    await page.getByLabel("Language").selectOption("es");

    await page.goto(stack.baseURL + "/sign-in");
    await settle(page);
    await page.getByLabel("Correo electrónico").fill(email);
    await page.getByLabel("Contraseña").fill("not the password at all");
    await page.getByRole("button", { name: "Iniciar sesión" }).click();
    await page.waitForSelector("text=no corresponden a ninguna cuenta");
    await page.getByLabel("Contraseña").fill(password);
    await page.getByRole("button", { name: "Iniciar sesión" }).click();
    await page.waitForSelector("header >> text=Cerrar sesión");
    await noSeriousViolations("signed in");
  });

  it("explains the server's reasons next to the fields", async () => {
    page = await freshPage();
    await page.goto(stack.baseURL + "/sign-up");
    await settle(page);
    await page.getByLabel("Your name").fill("Ana");
    await page.getByLabel("Email").fill(`ana.${Date.now()}@example.org`);
    // Long enough for the form, but on the common-password list the server checks.
    await page.getByLabel("Password").fill("12345678900987654321");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForSelector("[role=alert]:not(:empty)");
    assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
  });
});

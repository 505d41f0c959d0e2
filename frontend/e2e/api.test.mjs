// The app against the real Common Ground API: the Go server started with a
// fresh embedded store, the built app served by vite preview on the same
// origin. Covers what the server has routes for; no fixtures.

import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, axe, launch, settle, shot, startStack } from "./harness.mjs";

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

describe("fund pool against the real API", () => {
  it("a steward creates and opens a campaign; an anonymous visitor pledges and sees the progress change", async () => {
    page = await freshPage();
    await page.goto(stack.baseURL + "/sign-in?next=/organize%3Ftab%3Dcampaigns");
    await settle(page);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForSelector("h2:has-text('Campaigns')");
    await settle(page);
    await page.getByLabel("Title", { exact: true }).fill("Wagner Creek homes");
    await page.getByLabel("Title in Spanish").fill("Viviendas Wagner Creek");
    await page.getByLabel("Deadline").fill("2031-09-30");
    await page.getByLabel("Land price").fill("400,000");
    await page.getByLabel("Closing costs").fill("20,000");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.waitForSelector("text=Campaign “Wagner Creek homes” created as a draft.");
    await page.getByRole("link", { name: "Wagner Creek homes" }).click();
    await settle(page);
    await page.getByRole("button", { name: "Open for pledges" }).click();
    await page.waitForSelector("text=The campaign is now: Open.");
    await noSeriousViolations("campaign administration");

    // A visitor with no account.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForSelector("header >> text=Sign in");
    await page.goto(stack.baseURL + "/");
    await settle(page);
    const item = page.locator("#campaign-list li", { hasText: "Wagner Creek homes" });
    await item.waitFor();
    assert.match(await item.innerText(), /0% funded · \$0\.00 received of \$420,000\.00/);
    await item.getByRole("link").click();
    await settle(page);
    await page.getByLabel("Amount (USD)").fill("21,000");
    await page.getByLabel("Your name or your organization's").fill("María Gómez");
    await page.getByLabel("Show my pledge as anonymous").check();
    await page.getByRole("button", { name: "Pledge", exact: true }).click();
    await page.waitForSelector("text=your pledge of $21,000.00 is recorded");
    // The public ledger shows the pledge without the name.
    await page.waitForSelector("td:has-text('Anonymous')");
    assert.doesNotMatch(await page.locator("main").innerText(), /María Gómez/);
    await noSeriousViolations("campaign after pledge");

    await page.getByRole("link", { name: "Back to the map" }).click();
    await settle(page);
    await page.locator("#campaign-list li", { hasText: "Wagner Creek homes" }).waitFor();
    assert.match(await page.locator("#campaign-list li", { hasText: "Wagner Creek homes" }).innerText(), /5% funded/);
  });
});

// Accounts against the real server (which serves the app, so page and API
// share one origin and the HttpOnly refresh cookie works as in production):
// register, stay signed in across reloads, sign out and in, the account's
// language, and the server's reasons next to the fields.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { freshPage as newPage, noSeriousViolations as noViolations, settle, shot, useStack } from "./harness.mjs";

const s = useStack("accounts");

const freshPage = () => newPage(s.browser, s.stack.baseURL);
const noSeriousViolations = (where) => noViolations(s.page, where);

describe("accounts against the real API", () => {
  it("registers, stays signed in through the refresh cookie, signs out and in, and keeps the account's language", async () => {
    const page = (s.page = await freshPage());
    const email = `rosa.${Date.now()}@example.org`;
    const password = "bear creek commons 2020";
    await page.goto(s.stack.baseURL + "/sign-up");
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

    await page.goto(s.stack.baseURL + "/sign-in");
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
    const page = (s.page = await freshPage());
    await page.goto(s.stack.baseURL + "/sign-up");
    await settle(page);
    await page.getByLabel("Your name").fill("Ana");
    await page.getByLabel("Email").fill(`ana.${Date.now()}@example.org`);
    // Long enough for the form, but on the common-password list the server checks.
    await page.getByLabel("Password").fill("12345678900987654321");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForSelector("[role=alert]:not(:empty)");
    assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
  });

  it("creates an account in Spanish on a phone, which the account then remembers", async () => {
    const page = (s.page = await freshPage());
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(s.stack.baseURL + "/sign-up");
    await settle(page);
    await page.getByLabel("Language").selectOption("es");
    await page.waitForSelector("h1:has-text('Crear una cuenta')");
    await page.getByLabel("Su nombre").fill("Rosa Martínez");
    await page.getByLabel("Correo electrónico").fill(`rosa.es.${Date.now()}@example.org`);
    await page.getByLabel("Contraseña").fill("corta");
    await page.getByRole("button", { name: "Crear cuenta" }).click();
    await page.waitForSelector("text=La contraseña necesita al menos 12 caracteres.");
    await page.getByLabel("Contraseña").fill("río mesa nube piedra");
    await noSeriousViolations("sign up in Spanish");
    await shot(page, "sign-up-es-360");
    await page.getByRole("button", { name: "Crear cuenta" }).click();
    await page.waitForSelector("header >> text=Cerrar sesión");
    // The language chosen before signing up is the account's.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await settle(page);
    await page.waitForSelector("header >> text=Cerrar sesión");
    assert.equal(await page.locator("html").getAttribute("lang"), "es");
  });
});

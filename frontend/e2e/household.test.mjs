// A resident against the real server, in Spanish on a 360×740 phone:
// registers the household in steps, then on "My household" corrects it,
// withdraws and gives consents, downloads everything held and deletes it.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { account, api, example, fitsWidth, freshPage, noSeriousViolations, shot, signIn, settle, useStack } from "./harness.mjs";

const phone = { width: 360, height: 740 };

const s = useStack("household");

describe("a resident's household", () => {
  it("registers in Spanish on a phone, corrects it, exports and deletes it", async () => {
    const resident = await account(s.stack.baseURL, { name: "Rosa Martínez", locale: "es" });
    const page = (s.page = await freshPage(s.browser, s.stack.baseURL, phone));
    await signIn(page, s.stack.baseURL, resident, "/register");
    await page.waitForSelector("h1:has-text('Registre su hogar')");
    assert.ok(await fitsWidth(page), "household step fits 360 px");
    await noSeriousViolations(page, "register step 1");
    await shot(page, "register-es-1-household");
    // An empty name is refused, in Spanish, next to the field.
    await page.getByRole("button", { name: "Siguiente" }).click();
    await page.waitForSelector("text=Por favor, complete este dato.");
    await page.getByLabel("Nombre").first().fill("Rosa Martínez");
    await page.getByRole("button", { name: "Agregar una persona" }).click();
    await page.getByLabel("Nombre").nth(1).fill("Diego");
    await page.getByLabel("Teléfono (opcional)").fill("+1 541 555 0142");
    // Progress survives a reload.
    await page.reload();
    await settle(page);
    assert.equal(await page.getByLabel("Nombre").nth(1).inputValue(), "Diego");
    await page.getByRole("button", { name: "Siguiente" }).click();

    await page.waitForSelector("h2:has-text('Dónde vivía')");
    await page.waitForSelector("#pin-map .leaflet-overlay-pane path");
    await page.getByRole("button", { name: "Poner el marcador en el centro del mapa" }).click();
    await page.waitForSelector("text=Marcador en latitud");
    await page.getByLabel("Dirección de esa casa (opcional)").fill("Bear Creek Mobile Home Park, espacio 14");
    assert.ok(await fitsWidth(page), "map step fits 360 px");
    await noSeriousViolations(page, "register step 2");
    await shot(page, "register-es-2-pin");
    await page.getByRole("button", { name: "Siguiente" }).click();

    await page.getByLabel("En un hotel o motel").check();
    await page.getByLabel("Código postal donde se queda ahora (opcional)").fill("97501");
    await noSeriousViolations(page, "register step 3");
    await shot(page, "register-es-3-now");
    await page.getByRole("button", { name: "Siguiente" }).click();

    await page.getByLabel("Dormitorios que necesita").fill("2");
    await page.getByLabel("Dificultad para caminar o subir escaleras").check();
    await page.getByLabel("Dueño de una casa en un lote alquilado").check();
    await page.getByLabel("En una cooperativa de vivienda").check();
    await page.getByLabel("Número de desastre de FEMA (opcional)").fill("DR-4562-OR");
    assert.ok(await fitsWidth(page), "needs step fits 360 px");
    await noSeriousViolations(page, "register step 4");
    await shot(page, "register-es-4-needs");
    await page.getByRole("button", { name: "Siguiente" }).click();

    await page.waitForSelector("text=Puede decir que no a todas y registrarse igual");
    const agree = page.getByRole("checkbox", { name: "Sí, estoy de acuerdo" });
    assert.equal(await agree.count(), 4);
    await agree.nth(1).check(); // matching
    await agree.nth(3).check(); // statistics
    assert.ok(await fitsWidth(page), "consent step fits 360 px");
    await noSeriousViolations(page, "register step 5");
    await shot(page, "register-es-5-consent");
    await page.getByRole("button", { name: "Siguiente" }).click();

    await page.waitForSelector("h2:has-text('Revisar y enviar')");
    await noSeriousViolations(page, "register review");
    await shot(page, "register-es-6-review");
    await page.getByRole("button", { name: "Enviar mi registro" }).click();
    await page.waitForSelector("text=Su hogar quedó registrado");
    await settle(page);
    assert.equal(await page.evaluate(() => localStorage.getItem("cg.householdDraft.v2")), null);

    // What the server stored.
    const stored = await api(s.stack.baseURL, "GET", "/me/household", { token: resident.token });
    assert.deepEqual(stored.members.map((m) => m.name), ["Rosa Martínez", "Diego"]);
    assert.equal(stored.current.situation, "hotel");
    assert.equal(stored.current.zip_code, "97501");
    assert.equal(stored.tenure_before, "owner_on_rented_lot");
    assert.equal(stored.language, "es");
    assert.equal(stored.needs.bedrooms, 2);
    assert.deepEqual(stored.needs.accessibility, ["mobility"]);
    assert.equal(stored.lost_home.address, "Bear Creek Mobile Home Park, espacio 14");
    assert.deepEqual(stored.consents.filter((c) => c.in_force).map((c) => c.purpose).sort(), ["aggregate_statistics", "matching"]);
    assert.ok(await fitsWidth(page), "my household fits 360 px");
    await noSeriousViolations(page, "my household after registering");
    await shot(page, "my-household-es");

    // Correct where they stay now.
    await page.getByLabel("Código postal donde se queda ahora (opcional)").fill("97540");
    await page.getByRole("button", { name: "Guardar" }).click();
    await page.waitForSelector("text=Guardado.");
    assert.equal((await api(s.stack.baseURL, "GET", "/me/household", { token: resident.token })).current.zip_code, "97540");

    // Withdraw one consent and give another.
    const matching = page.locator("li", { hasText: "Búsqueda de tierra y comunidades" });
    await matching.getByRole("button", { name: "Retirar" }).click();
    await page.waitForSelector("text=Búsqueda de tierra y comunidades: retirado.");
    const contact = page.locator("ul.list > li").first();
    await contact.getByRole("button", { name: "Permitir" }).click();
    await page.waitForSelector("text=: permitido.");
    const after = await api(s.stack.baseURL, "GET", "/me/household", { token: resident.token });
    assert.deepEqual(after.consents.filter((c) => c.in_force).map((c) => c.purpose).sort(), ["aggregate_statistics", "contact"]);

    // Everything held, as a file.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Descargar todos mis datos" }).click()]);
    assert.equal(download.suggestedFilename(), "common-ground-household.json");
    const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
    assert.deepEqual(exported.household.members.map((m) => m.name), ["Rosa Martínez", "Diego"]);
    await noSeriousViolations(page, "my household");
    await shot(page, "my-household-es-consents");

    // Delete, after confirming.
    await page.getByRole("button", { name: "Borrar mi hogar" }).click();
    await page.waitForSelector("text=Primero marque la casilla para confirmar.");
    await page.getByLabel("Entiendo que se borrarán los datos de mi hogar").check();
    await page.getByRole("button", { name: "Borrar mi hogar" }).click();
    await page.waitForSelector("text=Todavía no ha registrado un hogar.");
    await assert.rejects(api(s.stack.baseURL, "GET", "/me/household", { token: resident.token }), /404/);
    await noSeriousViolations(page, "household deleted");
    assert.deepEqual(page.errors, []);
  });

  it("takes over, in Spanish on a phone, the household an organizer registered for the family", async () => {
    const base = s.stack.baseURL;
    const organizer = await account(base, { name: "Ana Organizer", roles: ["organizer"] });
    const family = await account(base, { name: "Luis Ortega", locale: "es" });
    const registered = await api(base, "POST", "/households", {
      token: organizer.token,
      body: { members: [{ name: "Luis Ortega", relationship: "head" }, { name: "Marta Ortega", relationship: "spouse_or_partner" }], language: "es", current: { situation: "shelter" }, registered_by: { consent_method: "organizer_in_person" } },
    });

    // The organizer makes a code in the console.
    const desk = (s.page = await freshPage(s.browser, base));
    await signIn(desk, base, organizer, "/organize?tab=import");
    await desk.getByLabel("Household id").fill(registered.id);
    await desk.getByRole("button", { name: "Make a code" }).click();
    await desk.waitForSelector("text=Code made.");
    const code = (await desk.locator(".claim-code").textContent()).trim();
    assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await noSeriousViolations(desk, "claim code made");
    await desk.close();

    // The family signs in on a phone and types it back.
    const page = (s.page = await freshPage(s.browser, base, phone));
    await signIn(page, base, family, "/me/household");
    await page.waitForSelector("h2:has-text('¿Tiene un código?')");
    assert.ok(await fitsWidth(page), "claim form fits 360 px");
    await noSeriousViolations(page, "claim form");
    await page.getByLabel("Código", { exact: true }).fill("ZZZZ-ZZZZ-ZZZZ");
    await page.getByRole("button", { name: "Usar este código" }).click();
    await page.waitForSelector("text=Este código no sirve.");
    await assert.rejects(api(base, "GET", "/me/household", { token: family.token }), /404/);
    await page.getByLabel("Código", { exact: true }).fill(code.toLowerCase().replaceAll("-", " "));
    await page.getByRole("button", { name: "Usar este código" }).click();
    await page.waitForSelector("text=Su hogar ya está en esta cuenta.");
    await settle(page);
    const mine = await api(base, "GET", "/me/household", { token: family.token });
    assert.equal(mine.id, registered.id);
    await page.waitForSelector("dd:has-text('Luis Ortega, Marta Ortega')");
    assert.equal(await page.locator("h2:has-text('¿Tiene un código?')").count(), 0);
    await noSeriousViolations(page, "household claimed");
    await shot(page, "my-household-es-claimed");

    // The head gives Marta a code so that she votes too.
    await page.getByRole("button", { name: "Crear un código para otra persona adulta" }).click();
    const voterCode = (await page.locator(".claim-code").textContent()).trim();
    assert.match(voterCode, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    assert.deepEqual(page.errors, []);
    await page.close();

    // A co-op where each adult of a household votes, with Luis's household
    // as a founding member.
    const body = example("post", "/communities");
    body.bylaws.classes[0].voteBasis = "per_person";
    const coop = await api(base, "POST", "/communities", { token: organizer.token, body });
    await api(base, "POST", `/communities/${coop.id}/founding-members`, { token: organizer.token, body: { accountId: family.id, classKey: "resident", region: "talent" } });

    // Marta signs up on her phone and enters the code.
    const marta = await account(base, { name: "Marta Ortega", locale: "es" });
    const phonePage = (s.page = await freshPage(s.browser, base, phone));
    await signIn(phonePage, base, marta, "/me/household");
    await phonePage.getByLabel("Código", { exact: true }).fill(voterCode);
    await phonePage.getByRole("button", { name: "Usar este código" }).click();
    await phonePage.waitForSelector("text=Ahora vota con su hogar.");
    await phonePage.waitForSelector("text=Dejar este hogar");
    await phonePage.waitForSelector("h3:has-text('Talent Mobile Estates Cooperative')");
    assert.ok(await fitsWidth(phonePage), "joined household fits 360 px");
    await noSeriousViolations(phonePage, "voter joined");

    // A motion opens (a proposal cannot open in the past: it opens in five
    // seconds, time enough for a loaded machine to store it); Marta votes.
    const motion = example("post", "/communities/{id}/proposals");
    const opens = Date.now() + 5000;
    motion.opens = new Date(opens).toISOString();
    motion.closes = new Date(opens + 8 * 24 * 3600_000).toISOString();
    const proposal = await api(base, "POST", `/communities/${coop.id}/proposals`, { token: organizer.token, body: motion });
    await new Promise((r) => setTimeout(r, opens + 500 - Date.now()));
    await api(base, "POST", `/communities/${coop.id}/proposals/${proposal.id}/open`, { token: organizer.token });
    await phonePage.reload();
    await settle(phonePage);
    await phonePage.waitForSelector("legend:has-text('Pintar el salón comunitario')");
    await noSeriousViolations(phonePage, "open vote");
    await phonePage.getByLabel("Sí").check();
    await phonePage.getByRole("button", { name: "Votar" }).click();
    await phonePage.waitForSelector("text=Su voto quedó registrado");
    const seen = await api(base, "GET", `/communities/${coop.id}/proposals/${proposal.id}`, { token: marta.token });
    assert.equal(seen.yourVoters[0].key, `person:${marta.id}`);
    await assert.rejects(api(base, "GET", "/me/household", { token: marta.token }), /404/);
    await shot(phonePage, "my-household-es-voter");
    assert.deepEqual(phonePage.errors, []);
  });
  it("applies to join a community from a phone, for the household and for an organisation", async () => {
    const base = s.stack.baseURL;
    const organizer = await account(base, { name: "Ana Organizer", roles: ["organizer"] });
    const body = example("post", "/communities");
    body.name = "Bear Creek Homes Cooperative";
    await api(base, "POST", "/communities", { token: organizer.token, body });
    const resident = await account(base, { name: "Elena Ruiz", locale: "es" });
    const hh = await api(base, "POST", "/households", {
      token: resident.token,
      body: { members: [{ name: "Elena Ruiz", relationship: "head" }], language: "es", current: { situation: "family_or_friends" } },
    });

    const page = (s.page = await freshPage(s.browser, base, phone));
    await signIn(page, base, resident, "/communities");
    const panel = page.locator(".panel", { hasText: "Bear Creek Homes Cooperative" });
    await panel.getByRole("button", { name: "Pedir unirme" }).click();
    await page.getByRole("button", { name: "Enviar mi solicitud" }).click();
    await page.waitForSelector("text=Algunas respuestas necesitan un cambio.");
    await page.getByLabel(/^Resident household: una participación de/).check();
    await page.getByLabel("Dónde vive o trabaja").selectOption("talent");
    await page.getByLabel("Unas palabras para la administración (opcional)").fill("Vivíamos junto al arroyo Bear Creek.");
    assert.ok(await fitsWidth(page), "application form fits 360 px");
    await noSeriousViolations(page, "community application");
    await page.getByRole("button", { name: "Enviar mi solicitud" }).click();
    await page.waitForSelector("text=Su solicitud fue enviada.");
    const [mine] = await api(base, "GET", "/me/memberships", { token: resident.token }).then((r) => r.memberships);
    assert.equal(mine.householdId, hh.id);
    assert.equal(mine.status, "applied");
    assert.equal(mine.statement, "Vivíamos junto al arroyo Bear Creek.");
    await shot(page, "communities-es-applied");
    assert.deepEqual(page.errors, []);
    await page.close();

    // Someone without a household applies for a partner organisation.
    const rep = await account(base, { name: "Dana Partner" });
    const desk = (s.page = await freshPage(s.browser, base));
    await signIn(desk, base, rep, "/communities");
    await desk.locator(".panel", { hasText: "Bear Creek Homes Cooperative" }).getByRole("button", { name: "Apply to join" }).click();
    assert.equal(await desk.getByLabel(/^Resident household/).isDisabled(), true);
    await desk.getByLabel(/^Partner organisation/).check();
    await desk.getByLabel("Where you live or work").selectOption("phoenix");
    await desk.getByRole("button", { name: "Send my application" }).click();
    await desk.waitForSelector("text=Please give the organisation's name.");
    await desk.getByLabel("Name of the organisation you represent").fill("Rogue Credit Union");
    await desk.getByRole("button", { name: "Send my application" }).click();
    await desk.waitForSelector("text=Your application was sent.");
    const [org] = await api(base, "GET", "/me/memberships", { token: rep.token }).then((r) => r.memberships);
    assert.equal(org.organisationName, "Rogue Credit Union");
    assert.equal(org.representativeId, rep.id);
    await noSeriousViolations(desk, "organisation application");
    assert.deepEqual(desk.errors, []);
  });
});

// The screens in a real browser, with the API answered by fixtures
// (mock-api.mjs): what each screen shows, what it sends, keyboard and axe
// checks, and a screenshot of each.

import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { axe, launch, settle, shot, startTarget } from "./harness.mjs";
import { installMockApi, newState } from "./mock-api.mjs";

let target;
let browser;
let open = null;

before(async () => {
  target = await startTarget();
  browser = await launch();
});

// Every test leaves a screenshot of its last screen, named after the test.
afterEach(async (t) => {
  if (!open || open.isClosed()) return;
  const name = "last-" + t.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
  await shot(open, name).catch(() => {});
  await open.close();
  open = null;
});

after(async () => {
  await browser?.close();
  await target?.stop();
});

/** page opens a fresh page with its own fixture state. */
async function openPage({ viewport, signedIn = false, locale } = {}) {
  const state = newState();
  state.signedIn = signedIn;
  if (locale) state.account.locale = locale;
  const page = await browser.context.newPage();
  open = page;
  if (viewport) await page.setViewportSize(viewport);
  await page.context().unrouteAll({ behavior: "ignoreErrors" });
  await installMockApi(page.context(), state);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A clean device for each test: no saved language or draft.
  await page.goto(target.baseURL + "/favicon.svg");
  await page.evaluate(() => localStorage.clear());
  return { page, state, errors };
}

async function noSeriousViolations(page, where) {
  const v = await axe(page);
  assert.deepEqual(v, [], `${where}: axe found serious or critical violations:\n${JSON.stringify(v, null, 2)}`);
}

describe("public fund progress map", () => {
  it("shows campaigns on the map and in a list, within the JavaScript budget", async () => {
    const { page, errors } = await openPage();
    const js = [];
    page.on("response", async (r) => {
      if (r.url().endsWith(".js")) js.push(r.body().then((b) => gzipSync(b).length).catch(() => 0));
    });
    const started = Date.now();
    await page.goto(target.baseURL + "/");
    await page.waitForSelector("#campaign-list li");
    console.log(`first campaigns shown ${Date.now() - started} ms after navigation (fixture API)`);
    await settle(page);
    assert.equal(await page.locator("#campaign-list li").count(), 3);
    assert.equal(await page.locator(".ring-icon").count(), 3);
    // Talent: $1,200,000 pledged + $500,000 granted of $1,850,000 = 91 % committed.
    assert.match(await page.locator("#campaign-list").innerText(), /91% funded · \$925,000\.00 received of \$1,850,000\.00/);
    // The offline basemap drew state outlines (vector paths in the overlay pane).
    await page.waitForFunction(() => document.querySelectorAll(".leaflet-overlay-pane path").length >= 4);
    await page.getByLabel("Wildfire and flood hazard areas").check();
    await page.getByLabel("Where displaced households need homes").check();
    await page.waitForSelector("text=Counts are shown for areas only");
    const gz = (await Promise.all(js)).reduce((a, b) => a + b, 0);
    console.log(`public map page JavaScript: ${(gz / 1024).toFixed(1)} KB gzipped`);
    assert.ok(gz <= 200 * 1024, `public map page loads ${gz} bytes of gzipped JavaScript`);
    await noSeriousViolations(page, "home");
    await shot(page, "home-en");
    assert.deepEqual(errors, []);
  });

  it("switches to Spanish on the page and remembers it", async () => {
    const { page } = await openPage();
    await page.goto(target.baseURL + "/");
    await settle(page);
    await page.getByLabel("Language").selectOption("es");
    await page.waitForSelector("h1:has-text('financiada entre todos')");
    await page.reload();
    await settle(page);
    await page.waitForSelector("#campaign-list li");
    assert.equal(await page.locator("html").getAttribute("lang"), "es");
    assert.match(await page.locator("#campaign-list").innerText(), /Compra de tierra Comunes de Talent/);
    assert.match(await page.locator("#campaign-list").innerText(), /91\s?% financiado · 925\.000,00\s?US\$ recibidos/);
    await noSeriousViolations(page, "home es");
    await shot(page, "home-es");
  });

  it("filters the list by keyboard", async () => {
    const { page } = await openPage();
    await page.goto(target.baseURL + "/");
    await settle(page);
    await page.waitForSelector("#campaign-list li");
    // The skip link is the first stop and leads to the content.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.className), "skip");
    await page.getByLabel("Search by name").fill("bear");
    assert.equal(await page.locator("#campaign-list li").count(), 1);
    await page.getByLabel("Show").selectOption("all");
    await page.getByLabel("Search by name").fill("");
    assert.equal(await page.locator("#campaign-list li").count(), 3);
  });
});

describe("campaign page", () => {
  it("shows the breakdown and ledger, and pledges anonymously with an idempotency key", async () => {
    const { page, state, errors } = await openPage();
    await page.goto(target.baseURL + "/");
    await settle(page);
    await page.getByRole("link", { name: "Talent Commons land purchase" }).click();
    await settle(page);
    await page.waitForSelector("text=Public ledger");
    await page.waitForSelector("td:has-text('Anonymous')");
    assert.match(await page.locator(".stats").innerText(), /Still needed\s+\$150,000\.00/);
    assert.match(await page.locator("body").innerText(), /organizers still see your name and email/);
    await page.getByLabel("Amount (USD)").fill("1,250.50");
    await page.getByLabel("Your name or your organization's").fill("María");
    await page.getByLabel("Show my pledge as anonymous").check();
    await page.getByRole("button", { name: "Pledge", exact: true }).click();
    await page.waitForSelector("text=your pledge of $1,250.50 is recorded");
    const pledge = state.requests.find((r) => r.method === "POST" && r.path.endsWith("/pledges"));
    assert.deepEqual(pledge.body, { pledger: { kind: "person", name: "María" }, amount: { amount_minor: 125050, currency: "USD" }, anonymous: true });
    assert.match(pledge.headers["idempotency-key"], /^[0-9a-f-]{36}$/);
    // The page re-read the progress: received went up by the pledge.
    await page.waitForSelector("text=$926,250.50 has been received");
    await noSeriousViolations(page, "campaign");
    await shot(page, "campaign-pledged");
    assert.deepEqual(errors, []);
  });

  it("explains a bad amount next to the field", async () => {
    const { page, state } = await openPage();
    await page.goto(target.baseURL + "/campaigns/c-talent");
    await settle(page);
    await page.getByLabel("Amount (USD)").fill("10.005");
    await page.getByLabel("Your name or your organization's").fill("Ana");
    await page.getByRole("button", { name: "Pledge", exact: true }).click();
    await page.waitForSelector("text=at most two decimals");
    assert.equal(await page.getByLabel("Amount (USD)").getAttribute("aria-invalid"), "true");
    assert.equal(state.requests.filter((r) => r.path.endsWith("/pledges")).length, 0);
  });
});

describe("register your household", () => {
  it("works in Spanish on a 360×740 phone and keeps progress", async () => {
    const { page, state, errors } = await openPage({ viewport: { width: 360, height: 740 }, signedIn: true, locale: "es" });
    state.account.roles = ["resident"];
    await page.goto(target.baseURL + "/register");
    await settle(page);
    await page.waitForSelector("h1:has-text('Registre su hogar')");
    const noHorizontalScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(await noHorizontalScroll(), "household step fits 360 px");
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
    assert.ok(await noHorizontalScroll(), "map step fits 360 px");
    await noSeriousViolations(page, "register step 2");
    await shot(page, "register-es-2-pin");
    await page.getByRole("button", { name: "Siguiente" }).click();

    await page.getByLabel("En un hotel o motel").check();
    await page.getByLabel("Código postal donde se queda ahora (opcional)").fill("97501");
    await noSeriousViolations(page, "register step 3");
    await page.getByRole("button", { name: "Siguiente" }).click();

    await page.getByLabel("Dormitorios que necesita").fill("2");
    await page.getByLabel("Dificultad para caminar o subir escaleras").check();
    await page.getByLabel("Dueño de una casa en un lote alquilado").check();
    await page.getByLabel("En una cooperativa de vivienda").check();
    await page.getByLabel("Número de desastre de FEMA (opcional)").fill("DR-4562-OR");
    await noSeriousViolations(page, "register step 4");
    await page.getByRole("button", { name: "Siguiente" }).click();

    await page.waitForSelector("text=Puede decir que no a todas y registrarse igual");
    const agree = page.getByRole("checkbox", { name: "Sí, estoy de acuerdo" });
    assert.equal(await agree.count(), 4);
    await agree.nth(1).check(); // matching
    await agree.nth(3).check(); // statistics
    await noSeriousViolations(page, "register step 5");
    await shot(page, "register-es-5-consent");
    await page.getByRole("button", { name: "Siguiente" }).click();

    await page.waitForSelector("h2:has-text('Revisar y enviar')");
    await shot(page, "register-es-6-review");
    await page.getByRole("button", { name: "Enviar mi registro" }).click();
    await page.waitForSelector("text=Su hogar quedó registrado");
    const sent = state.requests.find((r) => r.method === "POST" && r.path === "/households").body;
    assert.deepEqual(sent.members.map((m) => m.name), ["Rosa Martínez", "Diego"]);
    assert.deepEqual(sent.current, { situation: "hotel", zip_code: "97501" });
    assert.equal(sent.tenure_before, "owner_on_rented_lot");
    assert.equal(sent.language, "es");
    assert.deepEqual(sent.needs, { bedrooms: 2, accessibility: ["mobility"] });
    assert.deepEqual(sent.consents.map((c) => c.purpose), ["matching", "aggregate_statistics"]);
    // The Spanish texts' hashes, as the community package publishes them.
    assert.match(sent.consents[0].text_version, /^[0-9a-f]{64}$/);
    assert.ok(Math.abs(sent.lost_home.lat - 42.26) < 0.05 && Math.abs(sent.lost_home.lon + 122.8) < 0.05);
    assert.equal(sent.lost_home.address, "Bear Creek Mobile Home Park, espacio 14");
    assert.equal(await page.evaluate(() => localStorage.getItem("cg.householdDraft.v2")), null);
    await noSeriousViolations(page, "my household after registering");
    await shot(page, "register-es-done");
    assert.deepEqual(errors, []);
  });
});

describe("accounts and my household", () => {
  it("signs in, sees the household, votes, exports and deletes it, signs out", async () => {
    const { page, state } = await openPage();
    state.household = {
      id: "h-1", members: [{ name: "Rosa Martínez", relationship: "head", age_band: "25_34" }, { name: "Diego", relationship: "child", age_band: "5_12" }],
      pets: { count: 1, service_animal: false }, language: "es", contact: { phone: "+1 541 555 0142" }, lost_home: { lon: -122.8, lat: 42.26 },
      current: { situation: "hotel", zip_code: "97501" }, tenure_before: "renter", needs: { bedrooms: 2, accessibility: [] }, interested_in_coop: true, interested_in_land_trust: false,
      consents: [{ purpose: "matching", text_version: "v1", method: "self_online", given_at: "2026-11-02T10:00:00Z" }],
      created_at: "2026-11-02T10:00:00Z", updated_at: "2026-11-02T10:00:00Z",
    };
    await page.goto(target.baseURL + "/me/household");
    await settle(page);
    await page.getByRole("link", { name: "Sign in" }).last().click();
    await settle(page);
    await noSeriousViolations(page, "sign in");
    await shot(page, "sign-in");
    await page.getByLabel("Email").fill("ana@example.org");
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForSelector("text=do not match an account");
    await page.getByLabel("Password").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForSelector("h1:has-text('My household')");
    await settle(page);
    await page.waitForSelector("text=Bear Creek Homes Co-op");
    assert.match(await page.locator("main").innerText(), /Orientation — done on Nov 20, 2026/);
    await page.getByLabel("Yes", { exact: true }).check();
    await page.getByRole("button", { name: "Vote" }).click();
    await page.waitForSelector("text=you need this code: 7Q2M-KX4D");
    assert.deepEqual(state.requests.find((r) => r.path === "/communities/co-1/proposals/pr-1/ballots").body, { option: "yes", voterKey: "household:h-1" });
    // Consents: withdraw one, give another, with the published text's version.
    const matching = page.locator("li", { hasText: "Matching to land and communities" });
    await matching.getByRole("button", { name: "Withdraw" }).click();
    await page.waitForSelector("text=Matching to land and communities: withdrawn.");
    const stats = page.locator("li", { hasText: "Counts and statistics" });
    await stats.getByRole("button", { name: "Allow" }).click();
    await page.waitForSelector("text=Counts and statistics: allowed.");
    assert.ok(state.requests.some((r) => r.method === "DELETE" && r.path === "/households/h-1/consents/matching"));
    const given = state.requests.find((r) => r.method === "POST" && r.path === "/households/h-1/consents").body;
    assert.equal(given.purpose, "aggregate_statistics");
    assert.match(given.text_version, /^[0-9a-f]{64}$/);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download all my data" }).click()]);
    assert.equal(download.suggestedFilename(), "common-ground-household.json");
    await noSeriousViolations(page, "my household");
    await shot(page, "my-household");
    await page.getByRole("button", { name: "Delete my household" }).click();
    await page.waitForSelector("text=Please tick the box to confirm first.");
    await page.getByLabel("I understand that my household's data will be erased").check();
    await page.getByRole("button", { name: "Delete my household" }).click();
    await page.waitForSelector("text=You have not registered a household yet.");
    assert.ok(state.requests.some((r) => r.method === "DELETE" && r.path === "/households/h-1"));
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForSelector("header >> text=Sign in");
    assert.ok(state.requests.some((r) => r.method === "POST" && r.path === "/auth/logout"));
  });

  it("creates an account in Spanish, which the account then remembers", async () => {
    const { page, state } = await openPage();
    await page.goto(target.baseURL + "/sign-up");
    await settle(page);
    await page.getByLabel("Language").selectOption("es");
    await page.waitForSelector("h1:has-text('Crear una cuenta')");
    await page.getByLabel("Su nombre").fill("Rosa Martínez");
    await page.getByLabel("Correo electrónico").fill("rosa@example.org");
    await page.getByLabel("Contraseña").fill("corta");
    await page.getByRole("button", { name: "Crear cuenta" }).click();
    await page.waitForSelector("text=La contraseña necesita al menos 12 caracteres.");
    assert.equal(state.requests.filter((r) => r.path === "/auth/register").length, 0);
    await page.getByLabel("Contraseña").fill("río mesa nube piedra");
    await noSeriousViolations(page, "sign up");
    await page.getByRole("button", { name: "Crear cuenta" }).click();
    await page.waitForSelector("header >> text=Cerrar sesión");
    const reg = state.requests.find((r) => r.path === "/auth/register").body;
    assert.deepEqual(reg, { email: "rosa@example.org", password: "río mesa nube piedra", display_name: "Rosa Martínez", locale: "es", refresh_in: "cookie" });
    // Switching language while signed in saves it on the account.
    const patched = page.waitForRequest((r) => r.method() === "PATCH" && r.url().endsWith("/api/v1/me"));
    await page.getByLabel("Idioma").selectOption("en");
    await patched;
    await page.waitForSelector("header >> text=Sign out");
    assert.deepEqual(state.requests.find((r) => r.method === "PATCH" && r.path === "/me")?.body, { locale: "en" });
  });

  it("stays signed in across a reload through the refresh cookie", async () => {
    const { page, state } = await openPage({ signedIn: true });
    await page.goto(target.baseURL + "/");
    await settle(page);
    await page.waitForSelector("header >> text=Sign out");
    const refresh = state.requests.find((r) => r.path === "/auth/refresh");
    assert.ok(refresh, "the page called POST /auth/refresh on load");
    const me = state.requests.find((r) => r.path === "/me");
    assert.equal(me.headers.authorization, "Bearer test-access-token");
  });
});

describe("organizer console", () => {
  it("maps parcels, hazards and clustered households, imports GeoJSON, matches and creates a campaign", async () => {
    const { page, state, errors } = await openPage({ signedIn: true });
    await page.goto(target.baseURL + "/organize");
    await settle(page);
    await page.waitForSelector("text=3 parcels and 60 households in view");
    await page.waitForSelector(".marker-cluster");
    await noSeriousViolations(page, "organizer map");
    await shot(page, "organizer-map");

    await page.getByRole("tab", { name: "Import" }).click();
    await settle(page);
    const fc = {
      type: "FeatureCollection",
      features: [
        { type: "Feature", geometry: { type: "Polygon", coordinates: [[[-122.8, 42.2], [-122.79, 42.2], [-122.79, 42.21], [-122.8, 42.2]]] }, properties: { source_id: "A-1" } },
        { type: "Feature", geometry: { type: "Point", coordinates: [-122.8, 42.2] }, properties: { source_id: "A-2" } },
      ],
    };
    await page.locator("input[type=file]").first().setInputFiles({ name: "parcels.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(fc)) });
    await page.waitForSelector("text=1 added, 0 updated, 1 rejected.");
    assert.match(await page.locator("table").innerText(), /geometry must be a Polygon or MultiPolygon/);
    await noSeriousViolations(page, "import");
    await shot(page, "organizer-import");

    await page.getByRole("tab", { name: "Matching" }).click();
    await settle(page);
    await page.getByLabel("Household ids").fill("h1, h2, h3");
    await page.getByLabel("Close to former homes").fill("60");
    await page.getByLabel("Places the group cares about (optional)").fill("42.1945, -122.7095, Talent Elementary\nby the river");
    await page.getByRole("button", { name: "Find parcels" }).click();
    await page.waitForSelector("text=These lines are not a latitude and longitude: 2.");
    await page.getByLabel("Places the group cares about (optional)").fill("42.1945, -122.7095, Talent Elementary");
    await page.getByRole("button", { name: "Find parcels" }).click();
    await page.waitForSelector("text=2 parcels found.");
    const m = state.requests.find((r) => r.path === "/matches").body;
    assert.deepEqual(m.household_ids, ["h1", "h2", "h3"]);
    assert.deepEqual(m.points, [{ lat: 42.1945, lon: -122.7095, label: "Talent Elementary" }]);
    assert.ok(Math.abs(Object.values(m.weights).reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.match(await page.locator("main").innerText(), /median distance 2\.4 km/);
    await noSeriousViolations(page, "matching");
    await shot(page, "organizer-matching");

    await page.getByRole("tab", { name: "Campaigns" }).click();
    await settle(page);
    await page.getByLabel("Title", { exact: true }).fill("Wagner Creek homes");
    await page.getByLabel("Deadline").fill("2027-09-30");
    await page.getByLabel("Land price").fill("1,200,000");
    await page.getByLabel("Closing costs").fill("35,000.50");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.waitForSelector("text=Campaign “Wagner Creek homes” created as a draft.");
    const created = state.requests.find((r) => r.method === "POST" && r.path === "/campaigns").body;
    assert.deepEqual(created.budget, [{ category: "land_price", amount: { amount_minor: 120000000, currency: "USD" } }, { category: "closing_costs", amount: { amount_minor: 3500050, currency: "USD" } }]);
    assert.deepEqual(created.title, { en: "Wagner Creek homes", es: "" });
    assert.deepEqual(created.target, { amount_minor: 123500050, currency: "USD" });
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.match(created.deadline, /^2027-(09-30|10-01)T\d\d:59:59\.000Z$/);
    await noSeriousViolations(page, "campaigns");
    await shot(page, "organizer-campaigns");

    await page.getByRole("tab", { name: "Membership" }).click();
    await settle(page);
    await page.waitForSelector("text=We lived in space 22");
    const applicant = page.locator(".panel", { hasText: "Household h-9" });
    await applicant.getByRole("button", { name: "Accept" }).click();
    await page.waitForSelector(".panel:has-text('Household h-9') >> text=Provisional member");
    await page.locator(".panel", { hasText: "Household h-9" }).getByLabel("Evidence for “Orientation” (optional note)").fill("attended on Dec 5");
    await page.locator(".panel", { hasText: "Household h-9" }).getByRole("button", { name: "Mark “Orientation” as done" }).click();
    await page.waitForSelector("text=Step recorded as done.");
    assert.deepEqual(state.requests.find((r) => r.path === "/communities/co-1/memberships/m-9/review").body, { approve: true, note: "" });
    assert.deepEqual(state.requests.find((r) => r.path === "/communities/co-1/memberships/m-9/milestones").body, { milestone: "orientation", note: "attended on Dec 5" });
    await shot(page, "organizer-membership");
    await noSeriousViolations(page, "membership");

    await page.goto(target.baseURL + "/organize/parcels/p-2");
    await settle(page);
    await page.getByLabel("Status").selectOption("under_contract");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForSelector("text=Saved.");
    assert.deepEqual(state.requests.find((r) => r.method === "PATCH" && r.path === "/parcels/p-2").body.status, "under_contract");
    await noSeriousViolations(page, "parcel detail");
    await shot(page, "organizer-parcel");
    assert.deepEqual(errors, []);
  });

  it("runs a campaign: grants, receipts, and payments approved by a second organizer", async () => {
    const { page, state, errors } = await openPage({ signedIn: true });
    await page.goto(target.baseURL + "/organize?tab=campaigns");
    await settle(page);
    await page.getByRole("link", { name: "Talent Commons land purchase" }).click();
    await settle(page);
    await page.waitForSelector("h1:has-text('Talent Commons land purchase')");
    // Organizers see who pledged, including those anonymous in public.
    assert.match(await page.locator("main").innerText(), /Lucía Herrera \(anonymous in public\)/);

    await page.getByLabel("Amount received from Lucía Herrera").fill("2,500");
    await page.getByRole("button", { name: "Record money received" }).first().click();
    await page.waitForSelector("text=Money received is recorded.");
    const receipt = state.requests.find((r) => r.path === "/campaigns/c-talent/receipts");
    assert.deepEqual(receipt.body, { source_kind: "pledge", source_id: "pl-a", amount: { amount_minor: 250000, currency: "USD" } });
    assert.ok(receipt.headers["idempotency-key"]);

    // A payment proposed by someone else can be approved; one's own cannot.
    await page.getByRole("button", { name: "Approve" }).click();
    await page.waitForSelector("text=Payment approved and posted.");
    await page.getByLabel("Paid to").fill("Wagner Creek Land LLC");
    await page.getByLabel("Amount (USD)").fill("100,000");
    await page.getByRole("button", { name: "Propose a payment" }).click();
    await page.waitForSelector("text=Waiting for another organizer to approve");
    const proposal = state.requests.find((r) => r.method === "POST" && r.path === "/campaigns/c-talent/disbursements");
    assert.deepEqual(proposal.body, { amount: { amount_minor: 10000000, currency: "USD" }, use: "land_acquisition", payee: "Wagner Creek Land LLC" });

    await page.getByLabel("Funder").fill("FEMA");
    await page.getByLabel("Program").fill("Hazard Mitigation Grant Program");
    await page.getByLabel("Amount awarded (USD)").fill("250,000");
    await page.getByLabel("Land purchase").check();
    await page.getByRole("button", { name: "Record a grant" }).click();
    await page.waitForSelector("text=Grant recorded.");
    const grant = state.requests.find((r) => r.path === "/campaigns/c-talent/grants");
    assert.deepEqual(grant.body, { funder: "FEMA", program: "Hazard Mitigation Grant Program", awarded: { amount_minor: 25000000, currency: "USD" }, uses: ["land_acquisition"] });
    await noSeriousViolations(page, "campaign administration");
    await shot(page, "organizer-campaign");
    assert.deepEqual(errors, []);
  });

  it("tells a resident the console is for organizers", async () => {
    const { page, state } = await openPage({ signedIn: true });
    state.account.roles = ["resident"];
    await page.goto(target.baseURL + "/organize");
    await settle(page);
    await page.waitForSelector("text=The organizer console is for organizers.");
  });
});

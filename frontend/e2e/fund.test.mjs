// The public fund progress map against the real server: an open campaign
// on its parcel (set up by an organizer through the API), an anonymous
// visitor who pledges and sees the progress change on the map, the page in
// Spanish on a phone, and the layers' toggles.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { account, api, fitsWidth, freshPage, noSeriousViolations, shot, settle, useStack } from "./harness.mjs";

const s = useStack("fund", {
  setup: async () => {
    // An organizer imports a parcel, starts a campaign on it and opens it.
    const organizer = await account(s.stack.baseURL, { name: "Olga Organizer", roles: ["organizer"] });
    const ring = [[[-122.8203, 42.2754], [-122.8183, 42.2754], [-122.8183, 42.2769], [-122.8203, 42.2769], [-122.8203, 42.2754]]];
    const res = await fetch(s.stack.baseURL + "/api/v1/parcels/import", {
      method: "POST",
      headers: { "Content-Type": "application/geo+json", Authorization: `Bearer ${organizer.token}` },
      body: JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", geometry: { type: "Polygon", coordinates: ring }, properties: { source: "e2e", source_id: "wagner", address: "12 Wagner Creek Rd, Talent, OR" } }] }),
    });
    const report = await res.text();
    assert.equal(res.status, 200, report);
    const parcelId = JSON.parse(report).features[0].id;
    const campaign = await api(s.stack.baseURL, "POST", "/campaigns", {
      token: organizer.token,
      body: {
        id: "wagner-creek",
        title: { en: "Wagner Creek homes", es: "Viviendas Wagner Creek" },
        story: { en: "Twelve households rebuilding together on Wagner Creek.", es: "Doce familias reconstruyendo juntas en Wagner Creek." },
        parcel_ids: [parcelId],
        budget: [
          { category: "land_price", amount: { amount_minor: 40000000 } },
          { category: "closing_costs", amount: { amount_minor: 2000000 } },
        ],
        target: { amount_minor: 42000000, currency: "USD" },
        currency: "USD",
        deadline: "2031-09-30T23:59:59Z",
        mode: "keep_what_you_raise",
      },
    });
    await api(s.stack.baseURL, "POST", `/campaigns/${campaign.id}/transitions`, { token: organizer.token, body: { status: "open" } });
  },
});

describe("public fund progress map", () => {
  it("an anonymous visitor pledges and sees the progress change on the map", async () => {
    const page = (s.page = await freshPage(s.browser, s.stack.baseURL));
    await page.goto(s.stack.baseURL + "/");
    await settle(page);
    const item = page.locator("#campaign-list li", { hasText: "Wagner Creek homes" });
    await item.waitFor();
    assert.match(await item.innerText(), /0% funded · \$0\.00 received of \$420,000\.00/);
    // The campaign's parcel carries a progress ring on the map.
    await page.waitForSelector(".ring-icon");
    await page.waitForFunction(() => document.querySelectorAll(".leaflet-overlay-pane path").length >= 4);
    await page.getByLabel("Wildfire and flood hazard areas").check();
    await page.getByLabel("Where displaced households need homes").check();
    await page.waitForSelector("text=Counts are shown for areas only");
    await noSeriousViolations(page, "home");
    await shot(page, "home-en");

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
    await noSeriousViolations(page, "campaign after pledge");
    await shot(page, "campaign-en");

    await page.getByRole("link", { name: "Back to the map" }).click();
    await settle(page);
    const after = page.locator("#campaign-list li", { hasText: "Wagner Creek homes" });
    await after.waitFor();
    assert.match(await after.innerText(), /5% funded/);
    // The ring on the map says the same.
    assert.match((await page.locator(".ring-icon").first().innerHTML()) ?? "", /5\s?%/);
    assert.deepEqual(page.errors, []);
  });

  it("reads in Spanish on a phone", async () => {
    const page = (s.page = await freshPage(s.browser, s.stack.baseURL, { width: 360, height: 740 }));
    await page.goto(s.stack.baseURL + "/");
    await settle(page);
    await page.getByLabel("Language").selectOption("es");
    await page.waitForSelector("h1:has-text('financiada entre todos')");
    await page.reload();
    await settle(page);
    const item = page.locator("#campaign-list li", { hasText: "Viviendas Wagner Creek" });
    await item.waitFor();
    assert.equal(await page.locator("html").getAttribute("lang"), "es");
    assert.match(await item.innerText(), /financiado · .*US\$ recibidos/);
    assert.ok(await fitsWidth(page), "home fits 360 px");
    await noSeriousViolations(page, "home es");
    await shot(page, "home-es-360");
    await item.getByRole("link").click();
    await settle(page);
    await page.waitForSelector("h1:has-text('Viviendas Wagner Creek')");
    assert.ok(await fitsWidth(page), "campaign fits 360 px");
    // A bad amount is explained next to the field.
    await page.getByLabel("Monto (USD)").fill("doce");
    await page.getByRole("button", { name: "Prometer", exact: true }).click();
    await page.waitForSelector("[role=alert]:not(:empty)");
    await noSeriousViolations(page, "campaign es");
  });

  it("filters the list by keyboard", async () => {
    const page = (s.page = await freshPage(s.browser, s.stack.baseURL));
    await page.goto(s.stack.baseURL + "/");
    await settle(page);
    await page.waitForSelector("#campaign-list li");
    // The skip link is the first stop and leads to the content.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.className), "skip");
    await page.getByLabel("Search by name").fill("no such campaign");
    assert.equal(await page.locator("#campaign-list li").count(), 0);
    await page.getByLabel("Search by name").fill("wagner");
    assert.equal(await page.locator("#campaign-list li").count(), 1);
  });
});

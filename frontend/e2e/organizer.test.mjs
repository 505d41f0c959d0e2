// The organizer console against the real server: an organizer (made one by
// the steward through the API) imports parcels and hazard areas, sees them
// and a consenting household on the map, runs matching, starts a campaign
// for the best parcel, opens it, records a grant and money received, and
// reviews a membership application.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { account, api, example, freshPage, noSeriousViolations, shot, signIn, settle, useStack } from "./harness.mjs";

const s = useStack("organizer");

/** square is a closed ring of a parcel about 150 m wide at lon, lat. */
function square(lon, lat, d = 0.002) {
  return [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]];
}

const parcels = {
  type: "FeatureCollection",
  features: [
    { type: "Feature", geometry: { type: "Polygon", coordinates: square(-122.8203, 42.2754) }, properties: { source: "e2e", source_id: "near", address: "100 Bear Creek Rd, Phoenix, OR", deeded_acres: 8, asking_price: 52000000, currency: "USD" } },
    { type: "Feature", geometry: { type: "Polygon", coordinates: square(-122.7, 42.19) }, properties: { source: "e2e", source_id: "far", address: "9 Wagner Creek Rd, Talent, OR", deeded_acres: 3, asking_price: 30000000, currency: "USD" } },
    { type: "Feature", geometry: { type: "Point", coordinates: [-122.8, 42.2] }, properties: { source: "e2e", source_id: "point" } },
  ],
};

const hazards = {
  type: "FeatureCollection",
  features: [{ type: "Feature", geometry: { type: "Polygon", coordinates: square(-122.702, 42.188, 0.01) }, properties: { kind: "flood", severity: "high", name: "Wagner Creek floodway", source: "e2e", source_id: "flood-1" } }],
};

describe("organizer console", () => {
  it("imports parcels, maps them, matches, creates a campaign, records money and reviews a member", async () => {
    const organizer = await account(s.stack.baseURL, { name: "Olga Organizer", roles: ["resident", "organizer"] });
    // A resident whose household agreed to matching, registered through the API.
    const resident = await account(s.stack.baseURL, { name: "Rosa Márquez", locale: "es" });
    const { texts } = await api(s.stack.baseURL, "GET", "/consent-texts?language=es");
    const household = example("post", "/households");
    household.consents = [{ purpose: "matching", text_version: texts.find((x) => x.purpose === "matching").version }];
    const hh = await api(s.stack.baseURL, "POST", "/households", { token: resident.token, body: household });

    const page = (s.page = await freshPage(s.browser, s.stack.baseURL));
    await signIn(page, s.stack.baseURL, organizer, "/organize?tab=import");
    await page.waitForSelector("h2:has-text('Import')");

    // Parcels through the file input; the point is refused with its reason.
    await page.locator("input[type=file]").first().setInputFiles({ name: "parcels.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(parcels)) });
    await page.waitForSelector("text=2 added, 0 updated, 1 rejected.");
    assert.match(await page.locator("main table").innerText(), /rejected/i);
    // Hazard areas dropped onto their zone, as a person drags a file from the desktop.
    const drop = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], "hazards.geojson", { type: "application/geo+json" }));
      return dt;
    }, JSON.stringify(hazards));
    await page.locator(".dropzone").nth(1).dispatchEvent("drop", { dataTransfer: drop });
    await page.waitForSelector("text=1 added, 0 updated, 0 rejected.");
    await noSeriousViolations(page, "import");
    await shot(page, "organizer-import");

    // The map shows both parcels and the consenting household, and lists the parcels.
    await page.getByRole("tab", { name: "Map" }).click();
    await settle(page);
    await page.waitForSelector("text=In view: 2 parcels; households that agreed to matching: 1.");
    await page.waitForFunction(() => document.querySelectorAll(".leaflet-overlay-pane path").length >= 3);
    const list = await page.locator("main table").innerText();
    assert.match(list, /100 Bear Creek Rd/);
    assert.match(list, /9 Wagner Creek Rd.*Flood/s);
    await noSeriousViolations(page, "organizer map");
    await shot(page, "organizer-map");

    // Matching for every household that agreed to it: the parcel by their
    // former homes ranks first; the one in the floodway is left out.
    await page.getByRole("tab", { name: "Matching" }).click();
    await settle(page);
    await page.getByLabel("Places the group cares about (optional)").fill("42.1945, -122.7095, Talent Elementary\nby the river");
    await page.getByRole("button", { name: "Find parcels" }).click();
    await page.waitForSelector("text=These lines are not a latitude and longitude: 2.");
    await page.getByLabel("Places the group cares about (optional)").fill("42.1945, -122.7095, Talent Elementary");
    await page.getByRole("button", { name: "Find parcels" }).click();
    await page.waitForSelector("text=1 parcel found.");
    const first = page.locator("main ol.list > li").first();
    assert.match(await first.innerText(), /100 Bear Creek Rd.*score \d+ of 100/s);
    await noSeriousViolations(page, "matching");
    await shot(page, "organizer-matching");

    // The parcel's page: change its status, then start a campaign for it.
    await first.getByRole("link").click();
    await settle(page);
    await page.getByLabel("Status", { exact: true }).selectOption("negotiating");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForSelector("text=Saved.");
    await noSeriousViolations(page, "parcel");
    await shot(page, "organizer-parcel");
    await page.getByRole("link", { name: "Start a fund campaign for this parcel" }).click();
    await settle(page);
    await page.getByLabel("Title", { exact: true }).fill("Bear Creek homes");
    await page.getByLabel("Title in Spanish").fill("Viviendas Bear Creek");
    await page.getByLabel("Deadline", { exact: true }).fill("2031-09-30");
    await page.getByLabel("Land price", { exact: true }).fill("520,000");
    await page.getByLabel("Closing costs", { exact: true }).fill("20,000");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.waitForSelector("text=Campaign “Bear Creek homes” created as a draft.");
    await noSeriousViolations(page, "campaigns");
    await shot(page, "organizer-campaigns");
    await page.getByRole("link", { name: "Bear Creek homes" }).click();
    await settle(page);
    await page.getByRole("button", { name: "Open for pledges" }).click();
    await page.waitForSelector("text=The campaign is now: Open.");

    // A FEMA award, then the award's money received.
    await page.getByLabel("Funder").fill("FEMA");
    await page.getByLabel("Program").fill("Hazard Mitigation Grant Program");
    await page.getByLabel("Amount awarded (USD)").fill("250,000");
    await page.getByLabel("Land purchase").check();
    await page.getByRole("button", { name: "Record a grant" }).click();
    await page.waitForSelector("text=Grant recorded.");
    await page.waitForSelector("text=46% of the $540,000.00 goal is pledged, awarded or lent");
    await noSeriousViolations(page, "campaign administration");
    await shot(page, "organizer-campaign");

    // Membership: the organizer's community, where the resident applied.
    const community = await api(s.stack.baseURL, "POST", "/communities", { token: organizer.token, body: example("post", "/communities") });
    await api(s.stack.baseURL, "POST", `/communities/${community.id}/memberships`, {
      token: resident.token,
      body: { classKey: "resident", householdId: hh.id, region: "talent", statement: "We lived on Bear Creek for twelve years." },
    });
    await page.goto(s.stack.baseURL + "/organize?tab=membership");
    await settle(page);
    await page.waitForSelector("text=We lived on Bear Creek for twelve years.");
    const applicant = page.locator(".panel", { hasText: "We lived on Bear Creek" });
    await applicant.getByRole("button", { name: "Accept" }).click();
    await page.waitForSelector(".panel:has-text('We lived on Bear Creek') >> text=Provisional member");
    await page.locator(".panel", { hasText: "We lived on Bear Creek" }).getByLabel("Evidence for “Orientation” (optional note)").fill("attended on Dec 5");
    await page.locator(".panel", { hasText: "We lived on Bear Creek" }).getByRole("button", { name: "Mark “Orientation” as done" }).click();
    await page.waitForSelector("text=Step recorded as done.");
    await noSeriousViolations(page, "membership");

    // A partner organisation applies through its representative; the
    // console says what accepting confirms.
    const rep = await account(s.stack.baseURL, { name: "Dana Partner" });
    await api(s.stack.baseURL, "POST", `/communities/${community.id}/memberships`, {
      token: rep.token,
      body: { classKey: "partner", organisationName: "Rogue Credit Union", region: "phoenix" },
    });
    await page.reload();
    await settle(page);
    await page.waitForSelector(`text=Rogue Credit Union, represented by account ${rep.id}`);
    const partner = page.locator(".panel", { hasText: "Rogue Credit Union" });
    await partner.getByText("Accepting confirms that this person represents the organisation").waitFor();
    await partner.getByRole("button", { name: "Accept" }).click();
    await page.waitForSelector(".panel:has-text('Rogue Credit Union') >> text=Member");
    await noSeriousViolations(page, "organisation membership");

    // Matching for the community, now linked to the campaign: affordability
    // is judged against the FEMA award for land.
    const campaigns = await api(s.stack.baseURL, "GET", "/campaigns", { token: organizer.token });
    const bearCreek = campaigns.items.find((c) => c.title.en === "Bear Creek homes");
    await api(s.stack.baseURL, "PATCH", `/communities/${community.id}`, { token: organizer.token, body: { campaignIds: [bearCreek.id] } });
    await page.getByRole("tab", { name: "Matching" }).click();
    await settle(page);
    await page.getByLabel("Community id").fill(community.id);
    await page.getByRole("button", { name: "Find parcels" }).click();
    await page.waitForSelector("text=Affordability is judged against $250,000.00 pledged and awarded for land in the community's open campaign.");
    assert.match(await page.locator("main ol.list > li").first().innerText(), /100 Bear Creek Rd/);
    assert.deepEqual(page.errors, []);
  });

  it("tells a resident the console is for organizers", async () => {
    const resident = await account(s.stack.baseURL, { name: "Ana Resident" });
    const page = (s.page = await freshPage(s.browser, s.stack.baseURL));
    await signIn(page, s.stack.baseURL, resident, "/organize");
    await page.waitForSelector("text=The organizer console is for organizers.");
    await noSeriousViolations(page, "console refused");
  });
});

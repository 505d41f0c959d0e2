import { describe, expect, it } from "vitest";
import { en, type MessageKey } from "./en";
import { es } from "./es";
import { pluralKey, resolveLocale, toLocale, translate } from "./i18n";
import { ACCESSIBILITY, AGE_BANDS, INCOME_BANDS, INSURANCE, PURPOSES, RELATIONSHIPS, SITUATIONS, STEPS, TENURES } from "../lib/household-draft";
import { WEIGHT_PARTS } from "../lib/matching";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("catalogs", () => {
  it("have the same keys in English and Spanish", () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  });

  it("have no empty message", () => {
    for (const [k, v] of [...Object.entries(en), ...Object.entries(es)]) expect(v.trim(), k).not.toBe("");
  });

  it("use the same placeholders in both languages", () => {
    for (const k of Object.keys(en) as MessageKey[]) expect(placeholders(es[k]), k).toEqual(placeholders(en[k]));
  });

  it("translate into Spanish rather than copy the English (apart from names and short labels)", () => {
    // The product name and a pure placeholder pattern are the same in both.
    const same = (Object.keys(en) as MessageKey[]).filter((k) => en[k] === es[k] && en[k].length > 8);
    expect(same).toEqual(["app.name", "my.membershipStatus"]);
  });

  // Screens build keys from API values (`parcelStatus.${status}`); every value
  // the API can send must have a message.
  const domains: Array<[string, readonly string[]]> = [
    ["campaignStatus", ["active", "all", "draft", "open", "funded", "purchasing", "completed", "failed", "cancelled"]],
    ["campaignMode", ["all_or_nothing", "keep_what_you_raise"]],
    ["parcelStatus", ["identified", "evaluating", "negotiating", "under_contract", "acquired", "rejected"]],
    ["hazard", ["wildfire", "flood", "landslide", "other"]],
    ["ledgerKind", ["pledge_made", "pledge_received", "pledge_cancelled", "grant_awarded", "grant_received", "match_earned", "loan_committed", "loan_received", "disbursement", "release", "reversal"]],
    ["budget", ["land_price", "closing_costs", "infrastructure", "housing_construction", "relocation", "administration", "reserve", "other"]],
    ["income", INCOME_BANDS],
    ["pledgeStatus", ["pledged", "received", "cancelled", "released"]],
    ["disbursementStatus", ["proposed", "approved", "posted", "rejected"]],
    ["org.moveTo", ["open", "cancelled", "purchasing", "completed"]],
    ["insurance", INSURANCE],
    ["memberStatus", ["applied", "provisional", "rejected", "member", "withdrawn", "exited"]],
    ["use", ["land_acquisition", "infrastructure", "housing_construction", "relocation", "administration"]],
    ["situation", SITUATIONS],
    ["tenure", TENURES],
    ["ageBand", AGE_BANDS],
    ["relationship", RELATIONSHIPS],
    ["access", ACCESSIBILITY],
    ["step", STEPS],
    ["match.part", WEIGHT_PARTS],
    ["org.tab", ["map", "import", "matching", "campaigns", "membership"]],
    ["home.sort", ["progress", "deadline", "title"]],
    ["import.status", ["accepted", "updated", "rejected"]],
    ["import.bad", ["too_large", "not_json", "not_collection", "empty"]],
  ];
  it.each(domains)("cover every %s value", (prefix, values) => {
    for (const v of values) expect(en, `${prefix}.${v}`).toHaveProperty([`${prefix}.${v}`]);
  });

  it("have a title and a text for every consent purpose", () => {
    for (const p of PURPOSES) {
      expect(en).toHaveProperty([`consent.${p}.title`]);
      expect(en).toHaveProperty([`consent.${p}.text`]);
    }
  });

  it("have .one and .other for every counted message", () => {
    const bases = new Set(Object.keys(en).filter((k) => k.endsWith(".one")).map((k) => k.slice(0, -4)));
    expect(bases.size).toBeGreaterThan(3);
    for (const b of bases) {
      expect(en, b).toHaveProperty([`${b}.one`]);
      expect(en, b).toHaveProperty([`${b}.other`]);
    }
  });
});

describe("resolveLocale", () => {
  const cases: Array<[string, string | null, string | null, string[], string]> = [
    ["account wins over everything", "es", "en", ["en-US"], "es"],
    ["stored choice next", null, "es", ["en-US"], "es"],
    ["browser languages in order", null, null, ["fr-FR", "es-MX", "en"], "es"],
    ["unsupported account falls through", "fr", null, ["en-GB"], "en"],
    ["nothing known is English", null, null, [], "en"],
    ["underscore tags", null, "es_US", [], "es"],
  ];
  it.each(cases)("%s", (_, account, stored, browser, want) => {
    expect(resolveLocale(account, stored, browser)).toBe(want);
  });

  it("maps tags to supported locales only", () => {
    expect(toLocale("ES-419")).toBe("es");
    expect(toLocale("pt-BR")).toBeNull();
    expect(toLocale("")).toBeNull();
  });
});

describe("translate", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "household.member", { n: 3 })).toBe("Person 3");
    expect(translate("es", "household.member", { n: 3 })).toBe("Persona 3");
    expect(translate("en", "household.member")).toBe("Person {n}");
  });

  it("does not interpret placeholder values as patterns", () => {
    expect(translate("en", "pledge.failed", { reason: "{reason} $& $1" })).toBe("The pledge was not recorded: {reason} $& $1");
  });

  it("picks plural forms per language", () => {
    expect(pluralKey("en", "home.count", 1)).toBe("home.count.one");
    expect(pluralKey("en", "home.count", 0)).toBe("home.count.other");
    expect(pluralKey("es", "home.count", 1)).toBe("home.count.one");
    expect(pluralKey("es", "home.count", 2)).toBe("home.count.other");
    // Spanish CLDR has a "many" form for a million; the catalogs fall back to other.
    expect(pluralKey("es", "home.count", 1_000_000)).toBe("home.count.other");
  });
});

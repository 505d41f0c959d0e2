import { describe, expect, it } from "vitest";
import type { ConsentText } from "../api/types";
import { DRAFT_KEY, clearDraft, firstInvalidStep, loadDraft, newDraft, saveDraft, sha256Hex, toRequest, validateStep, type Draft, type Step } from "./household-draft";

function memStore(): Storage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  } as unknown as Storage & { data: Map<string, string> };
}

function filled(): Draft {
  const d = newDraft("es");
  d.members = [
    { name: " Ana López ", relationship: "head", age_band: "25_34" },
    { name: "Luis", relationship: "child", age_band: "5_12", preferred_name: "  ", accessibility: ["hearing"] },
  ];
  d.phone = "+1 541 555 0100";
  d.lost_location = { lon: -122.80712345, lat: 42.21123456 };
  d.lost_address = "  Bear Creek park, space 14 ";
  d.situation = "hotel";
  d.zip_code = "97535";
  d.tenure = "owner_on_rented_lot";
  d.income_band = "30_50";
  d.bedrooms = 2;
  d.accessibility = ["mobility"];
  d.coop = true;
  d.fema_disaster_number = "dr-4562-or";
  d.consents = { matching: true, aggregate_statistics: true, contact: false };
  return d;
}

const texts: ConsentText[] = ["contact", "matching", "partner_sharing", "aggregate_statistics"].map((p) => ({
  purpose: p as ConsentText["purpose"],
  language: "es" as const,
  version: `${p}-es-v1`,
  text: "...",
}));

describe("household draft", () => {
  it("saves and resumes on this device", () => {
    const s = memStore();
    const d = filled();
    d.step = "needs";
    saveDraft(s, d);
    expect(loadDraft(s, "en")).toEqual(d);
    clearDraft(s);
    expect(s.data.has(DRAFT_KEY)).toBe(false);
    expect(loadDraft(s, "en").step).toBe("household");
  });

  it("starts over when the saved draft is unreadable", () => {
    const s = memStore();
    s.setItem(DRAFT_KEY, "{not json");
    expect(loadDraft(s, "es")).toEqual(newDraft("es"));
    s.setItem(DRAFT_KEY, JSON.stringify({ step: "nope", members: [] }));
    expect(loadDraft(s, "es")).toEqual(newDraft("es"));
  });

  it("needs only the first name to pass the first step", () => {
    const d = newDraft("en");
    expect(validateStep("household", d)).toEqual({ "members.0.name": "form.required" });
    d.members[0].name = "Ana";
    expect(validateStep("household", d)).toEqual({});
  });

  const spoils: Array<[Step, (d: Draft) => unknown, string, string]> = [
    ["household", (d: Draft) => (d.phone = "12"), "phone", "form.phone"],
    ["household", (d: Draft) => (d.email = "ana@"), "email", "form.email"],
    ["household", (d: Draft) => (d.members[1].name = ""), "members.1.name", "form.required"],
    ["household", (d: Draft) => (d.members = Array.from({ length: 31 }, () => ({ name: "x", relationship: "unrelated" as const, age_band: "" as const }))), "members", "household.tooMany"],
    ["before", (d: Draft) => (d.lost_location = { lon: 200, lat: 0 }), "lost_location", "before.invalidPoint"],
    ["now", (d: Draft) => (d.situation = ""), "situation", "form.choose"],
    ["now", (d: Draft) => (d.zip_code = "9753"), "zip_code", "now.zipInvalid"],
    ["needs", (d: Draft) => (d.bedrooms = 11), "bedrooms", "form.number"],
    ["needs", (d: Draft) => (d.fema_disaster_number = "4562"), "fema_disaster_number", "needs.femaInvalid"],
    ["consent", (d: Draft) => ((d.consents.partner_sharing = true), (d.partners = " \n ")), "partners", "consent.partnersNeeded"],
  ];
  it.each(spoils)("%s step refuses a bad %s", (step, spoil, fieldName, key) => {
    const d = filled();
    spoil(d);
    expect(validateStep(step, d)[fieldName]).toBe(key);
    expect(firstInvalidStep(d)).toBe(step);
  });

  it("never requires consent", () => {
    const d = filled();
    d.consents = {};
    expect(firstInvalidStep(d)).toBeNull();
    expect(toRequest(d, texts).consents).toEqual([]);
  });

  it("builds the request with trimmed text, rounded location and consent versions", () => {
    const req = toRequest(filled(), texts);
    expect(req.members).toEqual([
      { name: "Ana López", relationship: "head", age_band: "25_34", preferred_name: undefined, accessibility: undefined },
      { name: "Luis", relationship: "child", age_band: "5_12", preferred_name: undefined, accessibility: ["hearing"] },
    ]);
    expect(req.lost_home).toEqual({ lon: -122.807123, lat: 42.211235, address: "Bear Creek park, space 14" });
    expect(req.current).toEqual({ situation: "hotel", zip_code: "97535" });
    expect(req.tenure_before).toBe("owner_on_rented_lot");
    expect(req.income_band).toBe("30_50");
    expect(req.insurance).toBeUndefined();
    expect(req.fema).toEqual({ disaster_number: "DR-4562-OR" });
    expect(req.contact).toEqual({ phone: "+1 541 555 0100", email: undefined });
    expect(req.pets).toEqual({ count: 0, service_animal: false });
    expect(req.consents).toEqual([
      { purpose: "matching", text_version: "matching-es-v1", partners: undefined },
      { purpose: "aggregate_statistics", text_version: "aggregate_statistics-es-v1", partners: undefined },
    ]);
    expect(req.needs).toEqual({ bedrooms: 2, accessibility: ["mobility"] });
    expect(req.interested_in_coop).toBe(true);
  });

  it("names the partners of a partner_sharing consent", () => {
    const d = filled();
    d.consents = { partner_sharing: true };
    d.partners = " Rogue Valley Habitat \n\nLegal Aid Services of Oregon\nRogue Valley Habitat";
    expect(validateStep("consent", d)).toEqual({});
    expect(toRequest(d, texts).consents).toEqual([
      { purpose: "partner_sharing", text_version: "partner_sharing-es-v1", partners: ["Rogue Valley Habitat", "Legal Aid Services of Oregon"] },
    ]);
  });

  it("leaves out a location that was never placed", () => {
    const d = filled();
    d.lost_location = null;
    d.lost_address = "";
    d.fema_disaster_number = "";
    const req = toRequest(d, texts);
    expect(req.lost_home).toEqual({ lon: undefined, lat: undefined, address: undefined });
    expect(req.fema).toBeUndefined();
  });

  it("refuses to claim consent to a text it does not have", () => {
    expect(() => toRequest(filled(), [])).toThrow(/no consent text/);
  });

  it("hashes consent text with SHA-256", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

import { describe, expect, it } from "vitest";
import { amount, fromCampaign, fromDisbursement, fromLedgerEntry, fromMapFeature, fromPledge, type CampaignWire } from "./fundpool-wire";

const usd = (n: number) => ({ amount_minor: n, currency: "USD", display: "" });

describe("fund pool wire", () => {
  it("reads a map feature, keeping a missing geometry as null", () => {
    const f = fromMapFeature({
      type: "Feature",
      id: "c1",
      geometry: null,
      properties: { title: { en: "Talent Commons", es: "Comunes de Talent" }, target: usd(1000), received: usd(100), committed: usd(600), status: "open", deadline: "2027-03-31", parcel_ids: [] },
    });
    expect(f.geometry).toBeNull();
    expect(f.properties).toEqual({ id: "c1", title: "Talent Commons", title_es: "Comunes de Talent", currency: "USD", target: 1000, received: 100, committed: 600, status: "open", deadline: "2027-03-31" });
  });

  it("flattens a campaign with its progress, and without it", () => {
    const w: CampaignWire = {
      id: "c1",
      title: { en: "", es: "Comunes" },
      story: { en: "Our story", es: "" },
      parcel_ids: ["p1"],
      budget: [{ category: "land_price", label: "", amount: usd(900) }, { category: "reserve", label: "Rainy day", amount: usd(100) }],
      target: usd(1000),
      currency: "USD",
      deadline: "2027-03-31T23:59:59Z",
      mode: "all_or_nothing",
      status: "open",
      version: 3,
      progress: {
        target: usd(1000), pledged: usd(300), awarded: usd(200), matched: usd(50), loans: usd(0), committed: usd(550), received: usd(120), disbursed: usd(0), remaining: usd(450),
        percent_funded_basis_points: 5500, funded_at: null,
        by_funder: [{ funder: "FEMA", kind: "grant", awarded: usd(200), matched: usd(50), received: usd(20) }],
      },
    };
    const c = fromCampaign(w);
    expect(c.title).toBe("Comunes");
    expect(c.story).toBe("Our story");
    expect(c.story_es).toBeUndefined();
    expect(c.budget).toEqual([{ category: "land_price", label: undefined, amount: 900 }, { category: "reserve", label: "Rainy day", amount: 100 }]);
    expect([c.target, c.committed, c.received, c.remaining, c.percent_funded, c.version]).toEqual([1000, 550, 120, 450, 5500, 3]);
    expect(c.by_funder).toEqual([{ funder: "FEMA", awarded: 200, matched: 50, received: 20 }]);
    const bare = fromCampaign({ ...w, progress: undefined });
    expect([bare.committed, bare.received, bare.remaining, bare.percent_funded]).toEqual([0, 0, 1000, 0]);
  });

  it("names who a ledger entry is from or to", () => {
    const base = { id: "t1", time: "2026-11-02T17:00:00Z", total: usd(2500) };
    expect(fromLedgerEntry({ ...base, kind: "pledge_made", source: { kind: "pledge", id: "p1", name: "Anonymous" } }).who).toBe("Anonymous");
    expect(fromLedgerEntry({ ...base, kind: "grant_awarded", source: { kind: "grant", id: "g1", name: "FEMA", program: "HMGP" } }).who).toBe("FEMA — HMGP");
    expect(fromLedgerEntry({ ...base, kind: "disbursement", disbursement: { id: "d1", use: "land_acquisition", payee: "Jackson County Title" } }).who).toBe("Jackson County Title");
    expect(fromLedgerEntry({ ...base, kind: "reversal" })).toEqual({ id: "t1", time: base.time, kind: "reversal", amount: 2500, currency: "USD", who: "", memo: undefined });
  });

  it("reads pledges and disbursements and writes amounts", () => {
    expect(fromPledge({ id: "p1", campaign_id: "c1", name: "Ana", kind: "person", anonymous: true, amount: usd(500), state: "pledged", received: usd(0), outstanding: usd(500) })).toEqual({
      id: "p1", campaign_id: "c1", amount: 500, currency: "USD", status: "pledged", anonymous: true, name: "Ana", received: 0,
    });
    expect(fromDisbursement({ id: "d1", campaign_id: "c1", amount: usd(700), use: "infrastructure", payee: "Rogue Paving", memo: "", state: "proposed", proposed_by: "u1" })).toEqual({
      id: "d1", amount: 700, currency: "USD", use: "infrastructure", payee: "Rogue Paving", memo: undefined, status: "proposed", proposed_by: "u1",
    });
    expect(amount(125050, "USD")).toEqual({ amount_minor: 125050, currency: "USD" });
  });
});

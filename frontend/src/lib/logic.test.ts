import { describe, expect, it } from "vitest";
import type { CampaignMapFeature } from "../api/types";
import { filterCampaigns, fundedBasisPoints, campaignTitle } from "./campaigns";
import { featureCenter, validLonLat } from "./geo";
import { precheckGeoJSON, MAX_IMPORT_BYTES } from "./geojson-file";
import { normalizeWeights, parseIds, parsePoints, strongestParts } from "./matching";
import { matchPath, resolve } from "./router";
import { ringSvg } from "../map/ring";
import { validTileUrl } from "../map/config";

function camp(id: string, title: string, received: number, target: number, status: CampaignMapFeature["properties"]["status"], deadline: string, title_es?: string): CampaignMapFeature {
  return {
    type: "Feature",
    geometry: { type: "Point", coordinates: [-122.8, 42.2] },
    properties: { id, title, title_es, currency: "USD", received, target, percent: Number((BigInt(received) * 10000n) / BigInt(target)), status, deadline },
  };
}

describe("campaign list", () => {
  const all = [
    camp("a", "Talent Commons", 5000, 10000, "open", "2026-05-01", "Comunes de Talent"),
    camp("b", "Phoenix Park", 9000, 10000, "open", "2026-04-01"),
    camp("c", "Bear Creek", 10000, 10000, "completed", "2025-01-01"),
    camp("d", "Almeda Acres", 0, 10000, "draft", "2026-06-01"),
  ];

  it("shows active campaigns by progress", () => {
    const got = filterCampaigns(all, { status: "active", text: "", sort: "progress" }, "en").map((c) => c.properties.id);
    expect(got).toEqual(["b", "a"]);
  });

  it("filters by status and text in the page's language", () => {
    expect(filterCampaigns(all, { status: "all", text: "comunes", sort: "title" }, "es").map((c) => c.properties.id)).toEqual(["a"]);
    expect(filterCampaigns(all, { status: "completed", text: "", sort: "title" }, "en").map((c) => c.properties.id)).toEqual(["c"]);
  });

  it("orders by deadline", () => {
    expect(filterCampaigns(all, { status: "all", text: "", sort: "deadline" }, "en").map((c) => c.properties.id)).toEqual(["c", "b", "a", "d"]);
  });

  it("does not change its input", () => {
    const before = all.map((c) => c.properties.id);
    filterCampaigns(all, { status: "all", text: "", sort: "progress" }, "en");
    expect(all.map((c) => c.properties.id)).toEqual(before);
  });

  it("takes the server's progress, or computes it exactly from integers", () => {
    expect(fundedBasisPoints({ percent: 7512, received: 1, target: 3 })).toBe(7512);
    expect(fundedBasisPoints({ percent_funded: 12000, received: 1, target: 3 })).toBe(12000);
    expect(fundedBasisPoints({ committed: 2, received: 1, target: 3 })).toBe(6666);
    expect(fundedBasisPoints({ percent: 1.5, received: 1, target: 3 })).toBe(3333);
    expect(fundedBasisPoints({ received: 1, target: 3 })).toBe(3333);
  });

  it("picks the title in the page's language", () => {
    expect(campaignTitle({ title: "A", title_es: "B" }, "es")).toBe("B");
    expect(campaignTitle({ title: "A" }, "es")).toBe("A");
  });
});

describe("featureCenter", () => {
  it("finds the centroid of a square", () => {
    const sq = { type: "Polygon" as const, coordinates: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]] };
    expect(featureCenter(sq)).toEqual({ lon: 1, lat: 1 });
  });

  it("uses the largest part of a MultiPolygon", () => {
    const mp = {
      type: "MultiPolygon" as const,
      coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]], [[[10, 10], [14, 10], [14, 14], [10, 14], [10, 10]]]],
    };
    expect(featureCenter(mp)).toEqual({ lon: 12, lat: 12 });
  });

  it("handles points, empties and degenerate rings", () => {
    expect(featureCenter({ type: "Point", coordinates: [-122.8, 42.2] })).toEqual({ lon: -122.8, lat: 42.2 });
    expect(featureCenter({ type: "Polygon", coordinates: [] })).toBeNull();
    expect(featureCenter(null)).toBeNull();
    expect(featureCenter({ type: "Polygon", coordinates: [[[1, 1], [1, 1], [1, 1], [1, 1]]] })).toEqual({ lon: 1, lat: 1 });
  });

  it("checks longitude and latitude ranges", () => {
    expect(validLonLat(-122.8, 42.2)).toBe(true);
    expect(validLonLat(200, 0)).toBe(false);
    expect(validLonLat(0, -95)).toBe(false);
    expect(validLonLat(Number.NaN, 0)).toBe(false);
  });
});

describe("precheckGeoJSON", () => {
  const fc = JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", geometry: null, properties: {} }] });
  it.each([
    ["a collection", fc.length, fc, { ok: true, features: 1 }],
    ["too large", MAX_IMPORT_BYTES + 1, null, { ok: false, reason: "too_large" }],
    ["large, counted by the server", 50 * 1024 * 1024, null, { ok: true, features: null }],
    ["empty file", 0, "", { ok: false, reason: "empty" }],
    ["truncated", 20, '{"type":"FeatureColl', { ok: false, reason: "not_json" }],
    ["a single feature", 10, '{"type":"Feature"}', { ok: false, reason: "not_collection" }],
    ["no features", 10, '{"type":"FeatureCollection","features":[]}', { ok: false, reason: "empty" }],
    ["a CSV", 10, "apn,acres\n1,2", { ok: false, reason: "not_json" }],
  ])("%s", (_, size, text, want) => {
    expect(precheckGeoJSON(size as number, text as string | null)).toEqual(want);
  });
});

describe("matching", () => {
  it("normalizes weights to a sum of one", () => {
    const w = normalizeWeights({ distance: 50, capacity: 50, affordability: 0, hazard: 0, points: 0 });
    expect(w).toEqual({ distance: 0.5, capacity: 0.5, affordability: 0, hazard: 0, points: 0 });
  });

  it("clamps and falls back to equal weights when all are zero", () => {
    expect(normalizeWeights({ distance: 0, capacity: 0, affordability: 0, hazard: 0, points: 0 }).distance).toBeCloseTo(0.2);
    expect(normalizeWeights({ distance: 500, capacity: -3, affordability: Number.NaN, hazard: 0, points: 0 })).toEqual({ distance: 1, capacity: 0, affordability: 0, hazard: 0, points: 0 });
  });

  it("reads pasted ids", () => {
    expect(parseIds("h1, h2\nh3;h1  ")).toEqual(["h1", "h2", "h3"]);
    expect(parseIds("  ")).toEqual([]);
  });

  it("reads places as lat, lon and label, and names the lines it cannot read", () => {
    const got = parsePoints("42.1945, -122.7095, Talent Elementary\n\n42.3265 -122.8756\nnear the river\n95, 10\n42.2; -122.8; clinic");
    expect(got.points).toEqual([
      { lat: 42.1945, lon: -122.7095, label: "Talent Elementary" },
      { lat: 42.3265, lon: -122.8756 },
      { lat: 42.2, lon: -122.8, label: "clinic" },
    ]);
    expect(got.bad).toEqual([4, 5]);
  });

  it("orders reasons by contribution, deterministically", () => {
    const got = strongestParts([
      { part: "hazard", score: 0.2 },
      { part: "distance", score: 0.5 },
      { part: "capacity", score: 0.2 },
    ]).map((p) => p.part);
    expect(got).toEqual(["distance", "capacity", "hazard"]);
  });
});

describe("router", () => {
  it.each([
    ["/campaigns/:id", "/campaigns/42", { id: "42" }],
    ["/campaigns/:id", "/campaigns/a%2Fb/", { id: "a/b" }],
    ["/", "/", {}],
    ["/campaigns/:id", "/campaigns", null],
    ["/campaigns/:id", "/campaigns/1/ledger", null],
    ["/campaigns/:id", "/campaigns/%E0%A4%A", null],
  ])("%s against %s", (pattern, path, want) => {
    expect(matchPath(pattern, path)).toEqual(want);
  });

  it("resolves the first matching route", () => {
    const routes = [
      { pattern: "/organize/parcels/:id", handler: "parcel" },
      { pattern: "/organize", handler: "console" },
    ];
    expect(resolve(routes, "/organize")?.route.handler).toBe("console");
    expect(resolve(routes, "/organize/parcels/p1")?.params).toEqual({ id: "p1" });
    expect(resolve(routes, "/nowhere")).toBeNull();
  });
});

describe("map pieces", () => {
  it("draws a ring proportional to progress, clamped", () => {
    const dash = (svg: string) => Number(/stroke-dasharray="([\d.]+)/.exec(svg)![1]);
    const c = 2 * Math.PI * 19;
    expect(dash(ringSvg(0, "0%"))).toBe(0);
    expect(dash(ringSvg(5000, "50%"))).toBeCloseTo(c / 2, 1);
    expect(dash(ringSvg(25000, "250%"))).toBeCloseTo(c, 1);
    expect(ringSvg(25000, "250 %")).toContain(">250 %<");
    expect(ringSvg(1, "<b>&")).toContain(">&#60;b&#62;&#38;<");
  });

  it("accepts only tile templates it can use", () => {
    expect(validTileUrl("https://tiles.example.org/{z}/{x}/{y}.png")).toBe(true);
    expect(validTileUrl("/tiles/{z}/{x}/{y}.png")).toBe(true);
    expect(validTileUrl("javascript:alert(1)//{z}{x}{y}")).toBe(false);
    expect(validTileUrl("https://tiles.example.org/tile.png")).toBe(false);
  });
});

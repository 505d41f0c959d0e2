import { describe, expect, it } from "vitest";
import { Api, ApiError, IdempotentForm, bboxParam, buildQuery, householdPoint, parseProblem } from "./client";
import type { Household } from "./types";

interface Call {
  url: string;
  init: RequestInit;
}

function json(status: number, body: unknown, type = "application/json"): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

/** fake returns a fetcher answering from a queue and recording every call. */
function fake(answers: Array<(c: Call) => Response>): { fetcher: (u: string, i: RequestInit) => Promise<Response>; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetcher: async (url, init) => {
      const c = { url, init };
      calls.push(c);
      const next = answers.shift();
      if (!next) throw new Error(`unexpected call ${init.method} ${url}`);
      return next(c);
    },
  };
}

const header = (c: Call, name: string) => new Headers(c.init.headers).get(name);

describe("Api", () => {
  it("signs in, keeps the token in memory and sends it", async () => {
    const f = fake([() => json(200, { access_token: "A1", token_type: "Bearer", expires_in: 900 }), () => json(200, { id: "u1" })]);
    const api = new Api("/api/v1", f.fetcher);
    await api.login({ email: "a@b.org", password: "correct horse battery" });
    await api.me();
    expect(f.calls[0].url).toBe("/api/v1/auth/login");
    expect(f.calls[0].init.method).toBe("POST");
    expect(header(f.calls[0], "Authorization")).toBeNull();
    expect(JSON.parse(String(f.calls[0].init.body))).toEqual({ email: "a@b.org", password: "correct horse battery", refresh_in: "cookie" });
    expect(f.calls[1].url).toBe("/api/v1/me");
    expect(header(f.calls[1], "Authorization")).toBe("Bearer A1");
    expect(f.calls.every((c) => c.init.credentials === "same-origin")).toBe(true);
  });

  it("refreshes once after a 401 and retries with the new token", async () => {
    const f = fake([
      () => json(200, { access_token: "OLD", token_type: "Bearer", expires_in: 900 }),
      () => json(401, { title: "expired" }, "application/problem+json"),
      () => json(200, { access_token: "NEW", token_type: "Bearer", expires_in: 900 }),
      () => json(200, { id: "u1" }),
    ]);
    const api = new Api("/api/v1", f.fetcher);
    await api.login({ email: "a@b.org", password: "x".repeat(12) });
    await expect(api.me()).resolves.toEqual({ id: "u1" });
    expect(f.calls.map((c) => c.url)).toEqual(["/api/v1/auth/login", "/api/v1/me", "/api/v1/auth/refresh", "/api/v1/me"]);
    expect(header(f.calls[2], "Authorization")).toBeNull();
    expect(header(f.calls[3], "Authorization")).toBe("Bearer NEW");
  });

  it("shares one refresh between concurrent callers (a second use would revoke the family)", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[] = [];
    const api = new Api("/api/v1", async (url) => {
      calls.push(url);
      await gate;
      return json(200, { access_token: "T", token_type: "Bearer", expires_in: 900 });
    });
    const both = Promise.all([api.refresh(), api.refresh(), api.refresh()]);
    release();
    expect(await both).toEqual([true, true, true]);
    expect(calls).toEqual(["/api/v1/auth/refresh"]);
  });

  it("reports signed out when the refresh cookie is refused", async () => {
    const f = fake([() => json(401, { title: "no session" })]);
    const api = new Api("/api/v1", f.fetcher);
    let told: unknown = "not called";
    api.onSession = (a) => (told = a);
    expect(await api.refresh()).toBe(false);
    expect(api.signedIn).toBe(false);
    expect(told).toBeNull();
  });

  it("turns a problem into an ApiError with its fields", async () => {
    const f = fake([
      () =>
        json(422, { title: "invalid household", detail: "2 fields are wrong", status: 422, request_id: "r-1", errors: [{ field: "members.0.name", message: "must not be empty" }] }, "application/problem+json"),
    ]);
    const api = new Api("/api/v1", f.fetcher);
    const err = await api.createHousehold({} as never).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.message).toBe("2 fields are wrong");
    expect(err.fields).toEqual([{ field: "members.0.name", message: "must not be empty" }]);
    expect(err.requestId).toBe("r-1");
  });

  it("reports a network failure as status 0", async () => {
    const api = new Api("/api/v1", async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(api.campaignMap()).rejects.toMatchObject({ status: 0 });
  });

  it("sends the Idempotency-Key with a pledge", async () => {
    const f = fake([() => json(201, { id: "p1" })]);
    const api = new Api("/api/v1", f.fetcher);
    await api.pledge("c/1", { pledger: { kind: "person", name: "Ana" }, amount: { amount_minor: 2500, currency: "USD" }, anonymous: true }, "key-1");
    expect(f.calls[0].url).toBe("/api/v1/campaigns/c%2F1/pledges");
    expect(header(f.calls[0], "Idempotency-Key")).toBe("key-1");
    expect(header(f.calls[0], "Content-Type")).toBe("application/json");
  });

  it("sends an import file as geo+json, untouched", async () => {
    const f = fake([() => json(200, { accepted: 1, rejected: 0, features: [] })]);
    const api = new Api("/api/v1", f.fetcher);
    const blob = new Blob(['{"type":"FeatureCollection","features":[]}']);
    await api.importParcels(blob);
    expect(f.calls[0].init.body).toBe(blob);
    expect(header(f.calls[0], "Content-Type")).toBe("application/geo+json");
  });

  it("answers undefined for 204", async () => {
    const f = fake([() => new Response(null, { status: 204 })]);
    await expect(new Api("/api/v1", f.fetcher).deleteHousehold("h1")).resolves.toBeUndefined();
    expect(f.calls[0].init.method).toBe("DELETE");
  });
});

describe("households", () => {
  it("gives and withdraws consents through PATCH /households/{id}", async () => {
    const f = fake([() => json(200, {}), () => json(200, {})]);
    const api = new Api("/api/v1", f.fetcher);
    await api.giveConsent("h/1", { purpose: "contact", text_version: "abc" });
    await api.withdrawConsent("h/1", "matching");
    expect(f.calls.map((c) => `${c.init.method} ${c.url}`)).toEqual(["PATCH /api/v1/households/h%2F1", "PATCH /api/v1/households/h%2F1"]);
    expect(JSON.parse(String(f.calls[0].init.body))).toEqual({ consents: [{ purpose: "contact", text_version: "abc" }] });
    expect(JSON.parse(String(f.calls[1].init.body))).toEqual({ withdraw_consents: ["matching"] });
  });

  it("reads the consent texts from their envelope", async () => {
    const texts = [{ purpose: "contact", language: "es", version: "v", text: "t" }];
    const f = fake([() => json(200, { texts })]);
    await expect(new Api("/api/v1", f.fetcher).consentTexts("es")).resolves.toEqual(texts);
    expect(f.calls[0].url).toBe("/api/v1/consent-texts?language=es");
  });

  it("pages through the households that agreed to matching, up to the maximum", async () => {
    const hh = (id: string, lon?: number) => ({ id, size: 2, lost_home: lon === undefined ? {} : { lon, lat: 42.2 }, current: { situation: "hotel" } });
    const f = fake([() => json(200, { items: [hh("a", -122.8), hh("b")], next: "b" }), () => json(200, { items: [hh("c", -122.7)], next: "c" }), () => json(200, { items: [] })]);
    const pts = await new Api("/api/v1", f.fetcher).householdPoints({ bbox: "1,2,3,4", max: 1000 });
    expect(pts.features.map((p) => [p.properties.id, p.geometry.coordinates])).toEqual([
      ["a", [-122.8, 42.2]],
      ["c", [-122.7, 42.2]],
    ]);
    expect(f.calls.map((c) => c.url)).toEqual([
      "/api/v1/households?bbox=1%2C2%2C3%2C4&consent=matching&limit=500",
      "/api/v1/households?bbox=1%2C2%2C3%2C4&consent=matching&after=b&limit=500",
      "/api/v1/households?bbox=1%2C2%2C3%2C4&consent=matching&after=c&limit=500",
    ]);
  });

  it("leaves out a household whose former home the viewer may not see", () => {
    expect(householdPoint({ id: "h", size: 1, lost_home: {}, withheld: ["lost_home"] } as unknown as Household)).toBeNull();
  });
});

describe("query helpers", () => {
  it("leave out empty parameters", () => {
    expect(buildQuery({ a: "1", b: undefined, c: "", d: null, e: 0, f: false })).toBe("?a=1&e=0&f=false");
    expect(buildQuery({})).toBe("");
  });

  it("render a bbox with 6 decimals", () => {
    expect(bboxParam(-122.9, 42.1, -122.7000001, 42.3)).toBe("-122.900000,42.100000,-122.700000,42.300000");
  });

  it("parse odd problem bodies without throwing", () => {
    expect(parseProblem(500, null).status).toBe(500);
    expect(parseProblem(400, { errors: "nope" }).fields).toEqual([]);
  });
});

describe("IdempotentForm", () => {
  it("reuses the key for the same body and changes it for another", () => {
    const f = new IdempotentForm();
    const k1 = f.keyFor({ amount: 1 });
    expect(f.keyFor({ amount: 1 })).toBe(k1);
    const k2 = f.keyFor({ amount: 2 });
    expect(k2).not.toBe(k1);
    f.done();
    expect(f.keyFor({ amount: 2 })).not.toBe(k2);
  });
});

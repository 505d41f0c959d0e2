// A small in-memory stand-in for the /api/v1 routes the screens call, used
// only when no server is given (E2E_BASE_URL unset). It records every request
// so the tests can check what the client sent.

const PATHWAY = [
  { key: "orientation", kind: "training", name: "Orientation", verifiedBy: ["community_admin"] },
  { key: "share", kind: "share_paid", name: "Membership share paid", verifiedBy: ["community_admin"] },
];
const COMMUNITY = {
  id: "co-1",
  name: "Bear Creek Homes Co-op",
  model: "resident_owned_community",
  yourRoles: ["community_admin"],
  bylaws: { version: 1, classes: [{ key: "household", name: "Resident household", pathway: PATHWAY }] },
};
const PROPOSAL = {
  id: "pr-1",
  communityId: "co-1",
  kind: "simple_majority",
  text: { en: { title: "Choose the Wagner Creek parcel", body: "Six acres near Talent, within the budget." }, es: { title: "Elegir la parcela de Wagner Creek", body: "Seis acres cerca de Talent, dentro del presupuesto." } },
  options: [{ key: "yes", label: { en: "Yes", es: "Sí" }, abstain: false }, { key: "no", label: { en: "No", es: "No" }, abstain: false }],
  anonymous: true,
  opens: "2026-12-01T00:00:00Z",
  closes: "2026-12-20T02:00:00Z",
  status: "open",
  yourVoters: [{ key: "household:h-1", classKey: "household", weight: 1 }],
};

function square(lon, lat, d = 0.004) {
  return { type: "Polygon", coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] };
}

/** newState returns a fresh scenario around Phoenix and Talent, Oregon. */
export function newState() {
  const campaigns = [
    { id: "c-talent", title: "Talent Commons land purchase", title_es: "Compra de tierra Comunes de Talent", lon: -122.7887, lat: 42.2457, target: 185000000, received: 92500000, pledged: 120000000, status: "open", deadline: "2027-03-31" },
    { id: "c-phoenix", title: "Bear Creek homes co-op", title_es: "Cooperativa de viviendas Bear Creek", lon: -122.8192, lat: 42.2752, target: 240000000, received: 60000000, pledged: 70000000, status: "open", deadline: "2027-06-30" },
    { id: "c-almeda", title: "Almeda community land trust", title_es: "Fideicomiso comunitario Almeda", lon: -122.8450, lat: 42.3040, target: 90000000, received: 90000000, pledged: 90000000, status: "funded", deadline: "2026-12-31" },
  ];
  return {
    signedIn: false,
    account: { id: "u-1", email: "ana@example.org", display_name: "Ana Organizer", locale: "en", roles: ["resident", "organizer"] },
    campaigns,
    ledger: [
      { id: "l1", time: "2026-11-02T17:00:00Z", kind: "grant_awarded", total: usd(50000000), source: { kind: "grant", id: "g1", name: "FEMA", program: "Hazard Mitigation Grant Program" } },
      { id: "l2", time: "2026-11-10T18:30:00Z", kind: "pledge_made", total: usd(250000), source: { kind: "pledge", id: "pl-a", name: "Anonymous" } },
      { id: "l3", time: "2026-11-12T21:05:00Z", kind: "pledge_received", total: usd(100000), source: { kind: "pledge", id: "pl-b", name: "Rogue Valley Mutual Aid" } },
    ],
    household: null,
    parcels: [
      { id: "p-1", parcelnumb: "381W26AB1200", address: "500 Wagner Creek Rd, Talent", status: "evaluating", computed_acres: 6.2, asking_price: 120000000, lon: -122.795, lat: 42.24, hazards: [] },
      { id: "p-2", parcelnumb: "381W13CC0400", address: "12 Fern Valley Rd, Phoenix", status: "negotiating", computed_acres: 9.8, asking_price: 185000000, lon: -122.81, lat: 42.27, hazards: [{ kind: "flood", share: 0.12 }] },
      { id: "p-3", parcelnumb: "371W32DA0100", address: "Old Stage Rd, Medford", status: "rejected", computed_acres: 3.1, asking_price: 60000000, lon: -122.86, lat: 42.30, hazards: [{ kind: "wildfire", share: 0.8 }] },
    ],
    pledges: [
      { id: "pl-a", campaign_id: "c-talent", name: "Lucía Herrera", kind: "person", anonymous: true, amount: usd(250000), state: "pledged", received: usd(0), outstanding: usd(250000) },
      { id: "pl-b", campaign_id: "c-talent", name: "Rogue Valley Mutual Aid", kind: "organisation", anonymous: false, amount: usd(100000), state: "received", received: usd(100000), outstanding: usd(0) },
    ],
    disbursements: [
      { id: "d-1", campaign_id: "c-talent", amount: usd(1500000), use: "land_acquisition", payee: "Jackson County Title", memo: "earnest money", state: "proposed", proposed_by: "u-other" },
    ],
    memberships: [
      { id: "m-1", communityId: "co-1", classKey: "household", householdId: "h-1", status: "provisional", appliedBy: "u-1", appliedAt: "2026-11-01T10:00:00Z", milestones: [{ key: "orientation", at: "2026-11-20T18:00:00Z" }], nextMilestone: PATHWAY[1], paid: { minor: 0, currency: "USD" } },
      { id: "m-9", communityId: "co-1", classKey: "household", householdId: "h-9", status: "applied", appliedBy: "u-9", appliedAt: "2026-12-01T10:00:00Z", statement: "We lived in space 22 of the Bear Creek park for eleven years.", milestones: [], paid: { minor: 0, currency: "USD" } },
    ],
    requests: [],
  };
}

// The fixture's campaigns have no loans or unreceived grants beyond pledges,
// so committed money is what was pledged plus the grant.
const GRANT = 50000000;
function committed(c) {
  return c.pledged + GRANT;
}
function percent(c) {
  return Math.floor((committed(c) * 10000) / c.target);
}

const usd = (n) => ({ amount_minor: n, currency: "USD", display: "" });

function campaignFeature(c) {
  return {
    type: "Feature",
    id: c.id,
    geometry: square(c.lon, c.lat),
    properties: { title: { en: c.title, es: c.title_es }, target: usd(c.target), received: usd(c.received), committed: usd(committed(c)), percent_funded: "", status: c.status, deadline: c.deadline, parcel_ids: ["p-1"] },
  };
}

function campaignDetail(c) {
  const land = Math.round(c.target * 0.8);
  const closing = Math.round(c.target * 0.05);
  return {
    id: c.id,
    title: { en: c.title, es: c.title_es },
    story: {
      en: "Families from the Bear Creek Greenway parks want to buy land together and rebuild as a resident-owned community.",
      es: "Familias de los parques de Bear Creek Greenway quieren comprar tierra juntas y reconstruir como una comunidad propiedad de sus residentes.",
    },
    parcel_ids: ["p-1"],
    budget: [
      { category: "land_price", label: "", amount: usd(land) },
      { category: "closing_costs", label: "", amount: usd(closing) },
      { category: "infrastructure", label: "", amount: usd(c.target - land - closing) },
    ],
    target: usd(c.target),
    currency: "USD",
    deadline: c.deadline,
    mode: "keep_what_you_raise",
    status: c.status,
    version: 1,
    progress: {
      target: usd(c.target), pledged: usd(c.pledged), awarded: usd(GRANT), matched: usd(0), loans: usd(0), committed: usd(committed(c)),
      received: usd(c.received), disbursed: usd(0), remaining: usd(Math.max(0, c.target - committed(c))),
      percent_funded_basis_points: percent(c), funded_at: null,
      by_funder: [{ funder: "FEMA", kind: "grant", awarded: usd(GRANT), matched: usd(0), received: usd(25000000) }],
    },
  };
}

function json(route, status, body, type = "application/json") {
  return route.fulfill({ status, contentType: type, body: body === undefined ? "" : JSON.stringify(body) });
}

/** installMockApi answers /api/v1 requests of a browser context from state. */
export async function installMockApi(context, state) {
  await context.route("**/api/v1/**", async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const method = req.method();
    let body = null;
    try {
      body = req.postData() ? JSON.parse(req.postData()) : null;
    } catch {
      body = req.postData();
    }
    state.requests.push({ method, path, query: Object.fromEntries(url.searchParams), headers: req.headers(), body });
    const token = { access_token: "test-access-token", token_type: "Bearer", expires_in: 900 };
    const c = (id) => state.campaigns.find((x) => x.id === id);
    let m;

    if (method === "POST" && path === "/auth/refresh") return state.signedIn ? json(route, 200, token) : json(route, 401, { title: "no session", status: 401 }, "application/problem+json");
    if (method === "POST" && path === "/auth/login") {
      if (body?.password !== "correct horse battery staple") return json(route, 401, { title: "invalid credentials", status: 401 }, "application/problem+json");
      state.signedIn = true;
      return json(route, 200, { ...token, account: state.account });
    }
    if (method === "POST" && path === "/auth/register") {
      state.signedIn = true;
      state.account = { id: "u-2", email: body.email, display_name: body.display_name, locale: body.locale, roles: ["resident"] };
      return json(route, 201, { ...token, account: state.account });
    }
    if (method === "POST" && path === "/auth/logout") {
      state.signedIn = false;
      return route.fulfill({ status: 204 });
    }
    if (path === "/me" && method === "GET") return state.signedIn ? json(route, 200, state.account) : json(route, 401, { title: "unauthorized" });
    if (path === "/me" && method === "PATCH") {
      Object.assign(state.account, body);
      return json(route, 200, state.account);
    }
    if (path === "/map/campaigns") return json(route, 200, { type: "FeatureCollection", features: state.campaigns.map(campaignFeature) }, "application/geo+json");
    if ((m = path.match(/^\/campaigns\/([^/]+)$/)) && method === "GET") return c(m[1]) ? json(route, 200, campaignDetail(c(m[1]))) : json(route, 404, { title: "not found" });
    if ((m = path.match(/^\/campaigns\/([^/]+)\/ledger$/))) return json(route, 200, { items: state.ledger, next_cursor: null });
    if ((m = path.match(/^\/campaigns\/([^/]+)\/pledges$/)) && method === "POST") {
      const camp = c(m[1]);
      if (!req.headers()["idempotency-key"]) return json(route, 400, { title: "missing Idempotency-Key" });
      const minor = body.amount.amount_minor;
      camp.pledged += minor;
      // The fixture treats a pledge as received at once, so the map's ring moves.
      camp.received += minor;
      state.ledger.unshift({ id: `l${state.ledger.length + 1}`, time: new Date().toISOString(), kind: "pledge_made", total: usd(minor), source: { kind: "pledge", id: "pl-new", name: body.anonymous ? "Anonymous" : body.pledger.name } });
      return json(route, 201, { id: "pl-new", campaign_id: camp.id, name: body.anonymous ? "Anonymous" : body.pledger.name, kind: body.pledger.kind, anonymous: body.anonymous, amount: usd(minor), state: "pledged", received: usd(0), outstanding: usd(minor) });
    }
    if ((m = path.match(/^\/campaigns\/([^/]+)\/transitions$/)) && method === "POST") {
      c(m[1]).status = body.status;
      return json(route, 200, campaignDetail(c(m[1])));
    }
    if ((m = path.match(/^\/campaigns\/([^/]+)\/pledges$/)) && method === "GET") return json(route, 200, { items: state.pledges.filter((p) => p.campaign_id === m[1]) });
    if ((m = path.match(/^\/campaigns\/([^/]+)\/receipts$/)) && method === "POST") {
      const p = state.pledges.find((x) => x.id === body.source_id);
      p.state = "received";
      p.received = usd(p.received.amount_minor + body.amount.amount_minor);
      c(m[1]).received += body.amount.amount_minor;
      return json(route, 201, { transactions: [] });
    }
    if ((m = path.match(/^\/campaigns\/([^/]+)\/grants$/)) && method === "POST") return json(route, 201, { id: "g-1" });
    if ((m = path.match(/^\/campaigns\/([^/]+)\/disbursements$/)) && method === "GET") return json(route, 200, { items: state.disbursements });
    if ((m = path.match(/^\/campaigns\/([^/]+)\/disbursements$/)) && method === "POST") {
      const d = { ...body, memo: body.memo ?? "", campaign_id: m[1], id: `d-${state.disbursements.length + 1}`, state: "proposed", proposed_by: state.account.id };
      state.disbursements.push(d);
      return json(route, 201, d);
    }
    if ((m = path.match(/^\/campaigns\/([^/]+)\/disbursements\/([^/]+)\/approve$/)) && method === "POST") {
      const d = state.disbursements.find((x) => x.id === m[2]);
      if (d.proposed_by === state.account.id) return json(route, 403, { title: "the proposer may not approve", status: 403 }, "application/problem+json");
      d.state = "posted";
      return json(route, 200, d);
    }
    if (path === "/campaigns" && method === "GET") return json(route, 200, { items: state.campaigns.map(campaignDetail), total: state.campaigns.length });
    if (path === "/campaigns" && method === "POST") {
      if (!body.id || !body.target) return json(route, 422, { title: "invalid", status: 422, errors: [{ field: body.id ? "target" : "id", reason: "must be given" }] }, "application/problem+json");
      const n = { id: `c-${state.campaigns.length + 1}`, title: body.title.en, title_es: body.title.es, lon: -122.8, lat: 42.26, target: body.budget.reduce((s, b) => s + b.amount.amount_minor, 0), received: 0, pledged: 0, status: "draft", deadline: body.deadline };
      state.campaigns.push(n);
      return json(route, 201, campaignDetail(n));
    }
    if (path === "/map/households") {
      return json(route, 200, { type: "FeatureCollection", features: [{ type: "Feature", geometry: square(-122.8, 42.26, 0.02), properties: { count: 37 } }, { type: "Feature", geometry: square(-122.76, 42.24, 0.02), properties: { count: 12 } }] }, "application/geo+json");
    }
    if (path === "/hazards") {
      return json(route, 200, { type: "FeatureCollection", features: [{ type: "Feature", geometry: square(-122.86, 42.3, 0.03), properties: { id: "hz-1", kind: "wildfire", severity: "high" } }] }, "application/geo+json");
    }
    if (path === "/consent-texts") return json(route, 404, { title: "not found" });
    if (path === "/households" && method === "POST") {
      state.household = { ...body, id: "h-1", created_at: "2026-12-06T20:00:00Z", updated_at: "2026-12-06T20:00:00Z", consents: body.consents.map((x) => ({ ...x, given_at: "2026-12-06T20:00:00Z" })) };
      return json(route, 201, state.household);
    }
    if (path === "/households" && method === "GET") {
      const pts = Array.from({ length: 60 }, (_, i) => ({ type: "Feature", geometry: { type: "Point", coordinates: [-122.8 + ((i * 37) % 50) / 1000, 42.25 + ((i * 53) % 40) / 1000] }, properties: { id: `h${i}`, size: 1 + (i % 5) } }));
      return json(route, 200, { type: "FeatureCollection", features: pts }, "application/geo+json");
    }
    if (path === "/me/household" && method === "GET") return state.household ? json(route, 200, state.household) : json(route, 404, { title: "not found" });
    if (path === "/me/household/export") return json(route, 200, { household: state.household, audit: [] });
    if ((m = path.match(/^\/households\/([^/]+)\/consents$/)) && method === "POST") {
      state.household.consents.push({ ...body, given_at: "2026-12-06T20:00:00Z" });
      return json(route, 201, state.household);
    }
    if ((m = path.match(/^\/households\/([^/]+)\/consents\/([^/]+)$/)) && method === "DELETE") {
      for (const c of state.household.consents) if (c.purpose === m[2] && !c.withdrawn_at) c.withdrawn_at = "2026-12-06T20:00:00Z";
      return json(route, 200, state.household);
    }
    if ((m = path.match(/^\/households\/([^/]+)$/)) && method === "DELETE") {
      state.household = null;
      return route.fulfill({ status: 204 });
    }
    if ((m = path.match(/^\/households\/([^/]+)$/)) && method === "PATCH") {
      Object.assign(state.household, body);
      return json(route, 200, state.household);
    }
    if (path === "/me/memberships") return json(route, 200, { memberships: state.memberships.filter((x) => x.appliedBy === state.account.id) });
    if (path === "/communities" && method === "GET") return json(route, 200, { communities: [{ id: "co-1", name: COMMUNITY.name, model: COMMUNITY.model, bylawsVersion: 1 }] });
    if (path === "/communities/co-1" && method === "GET") return json(route, 200, COMMUNITY);
    if (path === "/communities/co-1/proposals") return json(route, 200, { proposals: url.searchParams.get("status") === "open" ? [PROPOSAL] : [] });
    if (path === "/communities/co-1/proposals/pr-1/ballots" && method === "POST") return json(route, 201, { proposalId: "pr-1", option: body.option, replaced: !!body.secret, secret: body.secret ? undefined : "7Q2M-KX4D" });
    if (path === "/communities/co-1/memberships" && method === "GET") return json(route, 200, { memberships: state.memberships });
    if ((m = path.match(/^\/communities\/co-1\/memberships\/([^/]+)\/review$/)) && method === "POST") {
      const ms = state.memberships.find((x) => x.id === m[1]);
      ms.status = body.approve ? "provisional" : "rejected";
      ms.nextMilestone = body.approve ? COMMUNITY.bylaws.classes[0].pathway[0] : undefined;
      return json(route, 200, ms);
    }
    if ((m = path.match(/^\/communities\/co-1\/memberships\/([^/]+)\/milestones$/)) && method === "POST") {
      const ms = state.memberships.find((x) => x.id === m[1]);
      ms.milestones.push({ key: body.milestone, note: body.note, at: "2026-12-06T20:00:00Z" });
      const pathway = COMMUNITY.bylaws.classes[0].pathway;
      ms.nextMilestone = pathway.find((p) => !ms.milestones.some((r) => r.key === p.key));
      return json(route, 200, ms);
    }
    if (path === "/parcels" && method === "GET") {
      return json(route, 200, { type: "FeatureCollection", features: state.parcels.map((p) => ({ type: "Feature", geometry: square(p.lon, p.lat, 0.006), properties: { ...p, currency: "USD" } })) }, "application/geo+json");
    }
    if ((m = path.match(/^\/parcels\/([^/]+)$/)) && method === "GET") {
      const p = state.parcels.find((x) => x.id === m[1]);
      return p ? json(route, 200, { type: "Feature", geometry: square(p.lon, p.lat, 0.006), properties: { ...p, currency: "USD" } }, "application/geo+json") : json(route, 404, { title: "not found" });
    }
    if ((m = path.match(/^\/parcels\/([^/]+)$/)) && method === "PATCH") {
      const p = state.parcels.find((x) => x.id === m[1]);
      Object.assign(p, body);
      return json(route, 200, { type: "Feature", geometry: square(p.lon, p.lat), properties: p });
    }
    if (path === "/parcels/import") {
      const fc = typeof body === "object" ? body : { features: [] };
      const features = fc.features.map((f, index) => (f.geometry && f.geometry.type === "Polygon" ? { index, status: "accepted", id: `p-new-${index}`, source_id: f.properties?.source_id } : { index, status: "rejected", reason: `feature ${index}: geometry must be a Polygon or MultiPolygon` }));
      return json(route, 200, { accepted: features.filter((f) => f.status === "accepted").length, rejected: features.filter((f) => f.status === "rejected").length, updated: 0, features });
    }
    if (path === "/matches") {
      return json(route, 200, {
        results: state.parcels.filter((p) => p.status !== "rejected").map((p, i) => ({
          parcel_id: p.id, address: p.address, score: 0.82 - i * 0.1,
          parts: [{ part: "distance", score: 0.35, value: 2400 + i * 1500 }, { part: "capacity", score: 0.22 }, { part: "affordability", score: 0.15 - i * 0.05, detail: "pledged and awarded cover 78% of the price" }, { part: "hazard", score: 0.1 - i * 0.05 }],
        })),
      });
    }
    return json(route, 404, { title: "no such route in the fixtures", status: 404 }, "application/problem+json");
  });
}

// Typed client for the Common Ground API. One function per route, named after
// what it does; paths follow the routes under /api/v1. The access token lives
// only in memory; the refresh token is an HttpOnly cookie that the server sets
// for /api/v1/auth, so the browser sends it with credentials on those calls.

import type * as W from "./types";
import * as F from "./fundpool-wire";

/** ProblemField is one bad field of a validation problem. */
export interface ProblemField {
  field: string;
  message: string;
}

/** ApiError is an RFC 9457 problem answered by the API (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fields: ProblemField[] = [],
    readonly requestId?: string,
  ) {
    super(detail || title);
  }
}

/** parseProblem turns a problem+json body (or anything else) into an ApiError. */
export function parseProblem(status: number, body: unknown): ApiError {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const rawFields = (b.errors ?? b.fields ?? []) as unknown;
  const fields: ProblemField[] = Array.isArray(rawFields)
    ? rawFields
        .filter((f): f is Record<string, unknown> => !!f && typeof f === "object")
        .map((f) => ({ field: String(f.field ?? f.name ?? ""), message: String(f.message ?? f.reason ?? "") }))
    : [];
  return new ApiError(
    status,
    typeof b.title === "string" ? b.title : "",
    typeof b.detail === "string" ? b.detail : "",
    fields,
    typeof b.request_id === "string" ? b.request_id : undefined,
  );
}

/** Fetcher is the subset of fetch the client needs, so tests can give their own. */
export type Fetcher = (input: string, init: RequestInit) => Promise<Response>;

interface RequestOptions {
  body?: unknown;
  raw?: BodyInit;
  contentType?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** auth false: do not send the access token nor retry after a refresh. */
  auth?: boolean;
  accept?: string;
}

/** buildQuery renders query parameters, leaving out empty ones. */
export function buildQuery(q?: RequestOptions["query"]): string {
  if (!q) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === "") continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? "?" + s : "";
}

/** bboxParam renders a bounding box as "west,south,east,north" with 6 decimals. */
export function bboxParam(west: number, south: number, east: number, north: number): string {
  return [west, south, east, north].map((v) => v.toFixed(6)).join(",");
}

/** Api is the client; one instance per page, holding the access token in memory. */
export class Api {
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  /** onSession is told when the signed-in account changes (null: signed out). */
  onSession: (account: W.Account | null) => void = () => {};

  constructor(
    private readonly base = "/api/v1",
    private readonly fetcher: Fetcher = (i, init) => fetch(i, init),
  ) {}

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  private async request<T>(method: string, path: string, opts: RequestOptions = {}, retried = false): Promise<T> {
    const headers: Record<string, string> = { Accept: opts.accept ?? "application/json", ...opts.headers };
    let body: BodyInit | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      if (opts.contentType) headers["Content-Type"] = opts.contentType;
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["Content-Type"] = opts.contentType ?? "application/json";
    }
    if (opts.auth !== false && this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    let res: Response;
    try {
      res = await this.fetcher(this.base + path + buildQuery(opts.query), {
        method,
        headers,
        body,
        credentials: "same-origin",
      });
    } catch (e) {
      throw new ApiError(0, "network", e instanceof Error ? e.message : String(e));
    }
    if (res.status === 401 && opts.auth !== false && !retried && this.accessToken) {
      if (await this.refresh()) return this.request<T>(method, path, opts, true);
    }
    if (!res.ok) {
      let problem: unknown = null;
      try {
        problem = await res.json();
      } catch {
        // A proxy's HTML error page: keep the status only.
      }
      throw parseProblem(res.status, problem);
    }
    if (res.status === 204) return undefined as T;
    const type = res.headers.get("Content-Type") ?? "";
    if (type.includes("json")) return (await res.json()) as T;
    return (await res.text()) as unknown as T;
  }

  private setToken(tr: W.TokenResponse | null): void {
    this.accessToken = tr?.access_token ?? null;
  }

  // ---- auth (issue: identity) ----

  /** register: POST /auth/register {email, password, display_name, locale, refresh_in: "cookie"}. */
  async register(req: W.RegisterRequest): Promise<W.TokenResponse> {
    // refresh_in "cookie": the server keeps the refresh token out of the
    // body and sets it as an HttpOnly cookie that scripts cannot read.
    const tr = await this.request<W.TokenResponse>("POST", "/auth/register", { body: { ...req, refresh_in: "cookie" }, auth: false });
    this.setToken(tr);
    return tr;
  }

  /** login: POST /auth/login {email, password, refresh_in: "cookie"}; the server sets the refresh cookie. */
  async login(req: W.LoginRequest): Promise<W.TokenResponse> {
    const tr = await this.request<W.TokenResponse>("POST", "/auth/login", { body: { ...req, refresh_in: "cookie" }, auth: false });
    this.setToken(tr);
    return tr;
  }

  /**
   * refresh: POST /auth/refresh with the cookie; called on page load and after
   * a 401. Concurrent callers share one request, because a refresh token is
   * rotated on use and a second use would revoke the whole family.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.request<W.TokenResponse>("POST", "/auth/refresh", { auth: false })
        .then((tr) => {
          this.setToken(tr);
          return true;
        })
        .catch(() => {
          this.setToken(null);
          this.onSession(null);
          return false;
        })
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  /** logout: POST /auth/logout; the server revokes the refresh token and clears its cookie. */
  async logout(): Promise<void> {
    try {
      await this.request<void>("POST", "/auth/logout");
    } finally {
      this.setToken(null);
      this.onSession(null);
    }
  }

  /** me: GET /me. */
  me(): Promise<W.Account> {
    return this.request("GET", "/me");
  }

  /** updateMe: PATCH /me {display_name?, locale?, current_password?, new_password?}. */
  updateMe(patch: W.MePatch): Promise<W.Account> {
    return this.request("PATCH", "/me", { body: patch });
  }

  // ---- fund pool ----

  /** campaignMap: GET /map/campaigns (public GeoJSON of every campaign's parcel with its progress). */
  async campaignMap(q: { status?: string; bbox?: string } = {}): Promise<W.CampaignMap> {
    const fc = await this.request<F.CampaignMapWire>("GET", "/map/campaigns", { query: q, accept: "application/geo+json" });
    return { type: "FeatureCollection", features: fc.features.map(F.fromMapFeature) };
  }

  /** campaigns: GET /campaigns?status= → {items, total} (with progress). */
  async campaigns(q: { status?: string; cursor?: string } = {}): Promise<W.Page<W.Campaign>> {
    const page = await this.request<{ items: F.CampaignWire[]; total: number }>("GET", "/campaigns", { query: q });
    return { items: page.items.map(F.fromCampaign) };
  }

  /** campaign: GET /campaigns/{id} with its progress. */
  async campaign(id: string): Promise<W.Campaign> {
    return F.fromCampaign(await this.request<F.CampaignWire>("GET", `/campaigns/${enc(id)}`));
  }

  /** createCampaign: POST /campaigns (organizer; starts as a draft). */
  async createCampaign(req: W.CampaignCreate): Promise<W.Campaign> {
    return F.fromCampaign(await this.request<F.CampaignWire>("POST", "/campaigns", { body: req }));
  }

  /** setCampaignStatus: POST /campaigns/{id}/transitions {status}. */
  async setCampaignStatus(id: string, status: W.CampaignStatus): Promise<W.Campaign> {
    return F.fromCampaign(await this.request<F.CampaignWire>("POST", `/campaigns/${enc(id)}/transitions`, { body: { status } }));
  }

  /** ledger: GET /campaigns/{id}/ledger?cursor= (public; anonymous pledgers read "Anonymous"). */
  async ledger(id: string, cursor?: string): Promise<W.Page<W.LedgerEntry>> {
    const page = await this.request<{ items: F.LedgerEntryWire[]; next_cursor: string | null }>("GET", `/campaigns/${enc(id)}/ledger`, { query: { cursor } });
    return { items: page.items.map(F.fromLedgerEntry), next_cursor: page.next_cursor };
  }

  /** pledge: POST /campaigns/{id}/pledges with an Idempotency-Key, so a retried submit never pledges twice. */
  pledge(id: string, req: W.PledgeRequest, idempotencyKey: string): Promise<unknown> {
    return this.request("POST", `/campaigns/${enc(id)}/pledges`, { body: req, headers: { "Idempotency-Key": idempotencyKey } });
  }

  /** pledges: GET /campaigns/{id}/pledges (organizer: names of anonymous pledgers included). */
  async pledges(id: string): Promise<W.Page<W.Pledge>> {
    const page = await this.request<{ items: F.PledgeWire[] }>("GET", `/campaigns/${enc(id)}/pledges`);
    return { items: page.items.map(F.fromPledge) };
  }

  /** recordGrant: POST /campaigns/{id}/grants with an Idempotency-Key. */
  recordGrant(id: string, req: W.GrantRequest, idempotencyKey: string): Promise<unknown> {
    return this.request("POST", `/campaigns/${enc(id)}/grants`, { body: req, headers: { "Idempotency-Key": idempotencyKey } });
  }

  /** recordReceipt: POST /campaigns/{id}/receipts {source_kind, source_id, amount} with an Idempotency-Key. */
  recordReceipt(id: string, req: W.ReceiptRequest, idempotencyKey: string): Promise<unknown> {
    return this.request("POST", `/campaigns/${enc(id)}/receipts`, { body: req, headers: { "Idempotency-Key": idempotencyKey } });
  }

  /** disbursements: GET /campaigns/{id}/disbursements. */
  async disbursements(id: string): Promise<W.Page<W.Disbursement>> {
    const page = await this.request<{ items: F.DisbursementWire[] }>("GET", `/campaigns/${enc(id)}/disbursements`);
    return { items: page.items.map(F.fromDisbursement) };
  }

  /** proposeDisbursement: POST /campaigns/{id}/disbursements with an Idempotency-Key. */
  proposeDisbursement(id: string, req: W.DisbursementRequest, idempotencyKey: string): Promise<unknown> {
    return this.request("POST", `/campaigns/${enc(id)}/disbursements`, { body: req, headers: { "Idempotency-Key": idempotencyKey } });
  }

  /** approveDisbursement: POST /campaigns/{id}/disbursements/{did}/approve (by someone other than the proposer). */
  approveDisbursement(id: string, did: string, idempotencyKey: string): Promise<unknown> {
    return this.request("POST", `/campaigns/${enc(id)}/disbursements/${enc(did)}/approve`, { headers: { "Idempotency-Key": idempotencyKey } });
  }

  // ---- geo ----

  /** parcels: GET /parcels?bbox=w,s,e,n&status=&limit= (GeoJSON). */
  parcels(q: { bbox?: string; status?: string; limit?: number; hazard_free?: boolean } = {}): Promise<W.ParcelCollection> {
    return this.request("GET", "/parcels", { query: q, accept: "application/geo+json" });
  }

  /** parcel: GET /parcels/{id}. */
  parcel(id: string): Promise<W.ParcelFeature> {
    return this.request("GET", `/parcels/${enc(id)}`, { accept: "application/geo+json" });
  }

  /** updateParcel: PATCH /parcels/{id} {status?, rejected_reason?, asking_price?, notes?}. */
  updateParcel(id: string, patch: W.ParcelPatch): Promise<W.ParcelFeature> {
    return this.request("PATCH", `/parcels/${enc(id)}`, { body: patch });
  }

  /** importParcels: POST /parcels/import with the FeatureCollection as sent by the person (streamed by the server). */
  importParcels(file: Blob): Promise<W.ImportReport> {
    return this.request("POST", "/parcels/import", { raw: file, contentType: "application/geo+json" });
  }

  /** hazards: GET /hazards?bbox= (GeoJSON). */
  hazards(q: { bbox?: string } = {}): Promise<W.HazardCollection> {
    return this.request("GET", "/hazards", { query: q, accept: "application/geo+json" });
  }

  /** importHazards: POST /hazards/import (FeatureCollection). */
  importHazards(file: Blob): Promise<W.ImportReport> {
    return this.request("POST", "/hazards/import", { raw: file, contentType: "application/geo+json" });
  }

  /** match: POST /matches {household_ids | community_id, weights, limit, ...}. */
  match(req: W.MatchRequest): Promise<W.MatchResponse> {
    return this.request("POST", "/matches", { body: req });
  }

  // ---- households ----

  /** householdGrid: GET /map/households?zoom= (public grid cells, cells under 5 dropped by the server). */
  householdGrid(q: { zoom?: number; bbox?: string } = {}): Promise<W.HouseholdGrid> {
    return this.request("GET", "/map/households", { query: q, accept: "application/geo+json" });
  }

  /** consentTexts: GET /consent-texts?language= → {texts} (the current wording and version of each purpose). */
  async consentTexts(language: "en" | "es"): Promise<W.ConsentText[]> {
    return (await this.request<{ texts: W.ConsentText[] }>("GET", "/consent-texts", { query: { language } })).texts;
  }

  /** createHousehold: POST /households (the signed-in resident's own household). */
  createHousehold(req: W.HouseholdRequest): Promise<W.Household> {
    return this.request("POST", "/households", { body: req });
  }

  /** myHousehold: GET /me/household. */
  myHousehold(): Promise<W.Household> {
    return this.request("GET", "/me/household");
  }

  /** updateHousehold: PATCH /households/{id} with the changed fields, consents given and purposes withdrawn. */
  updateHousehold(id: string, patch: W.HouseholdPatch): Promise<W.Household> {
    return this.request("PATCH", `/households/${enc(id)}`, { body: patch });
  }

  /** deleteHousehold: DELETE /households/{id} (personal data erased, anonymous counts kept). */
  deleteHousehold(id: string): Promise<void> {
    return this.request("DELETE", `/households/${enc(id)}`);
  }

  /** giveConsent: PATCH /households/{id} {consents: [{purpose, text_version, partners?}]}. */
  giveConsent(id: string, consent: W.ConsentGrant): Promise<W.Household> {
    return this.updateHousehold(id, { consents: [consent] });
  }

  /** withdrawConsent: PATCH /households/{id} {withdraw_consents: [purpose]} (the record stays, marked withdrawn). */
  withdrawConsent(id: string, purpose: W.ConsentPurpose): Promise<W.Household> {
    return this.updateHousehold(id, { withdraw_consents: [purpose] });
  }

  /** claimHousehold: POST /me/household/claim (take over a household an organizer registered, with the code they gave). */
  claimHousehold(code: string): Promise<W.Household> {
    return this.request("POST", "/me/household/claim", { body: { code } });
  }

  /** issueVoterCode: POST /me/household/voter-code (the owner: a code for another adult to vote with the household). */
  issueVoterCode(): Promise<W.ClaimCode> {
    return this.request("POST", "/me/household/voter-code");
  }

  /** joinHouseholdAsVoter: POST /me/household/voters. */
  joinHouseholdAsVoter(code: string): Promise<W.HouseholdVoterLink> {
    return this.request("POST", "/me/household/voters", { body: { code } });
  }

  /** myVoterHousehold: GET /me/voter-household (the household the caller joined to vote). */
  myVoterHousehold(): Promise<W.HouseholdVoterLink> {
    return this.request("GET", "/me/voter-household");
  }

  /** removeHouseholdVoter: DELETE /me/household/voters/{accountId}. */
  removeHouseholdVoter(accountId: string): Promise<void> {
    return this.request("DELETE", `/me/household/voters/${enc(accountId)}`);
  }

  /** issueClaimCode: POST /households/{id}/claim-code (organizers: a one-time code for the family). */
  issueClaimCode(id: string): Promise<W.ClaimCode> {
    return this.request("POST", `/households/${enc(id)}/claim-code`);
  }

  /** exportMyHousehold: GET /me/household/export (everything held about the household, JSON). */
  exportMyHousehold(): Promise<W.HouseholdExport> {
    return this.request("GET", "/me/household/export");
  }

  /** households: GET /households?bbox=&consent=&after=&limit= → {items, next} (organizer; what each household consented to). */
  households(q: { bbox?: string; consent?: W.ConsentPurpose; after?: string; limit?: number } = {}): Promise<{ items: W.Household[]; next?: string }> {
    return this.request("GET", "/households", { query: q });
  }

  /** household: GET /households/{id} (as much as the viewer may see). */
  household(id: string): Promise<W.Household> {
    return this.request("GET", `/households/${enc(id)}`);
  }

  /**
   * householdPoints pages through GET /households?consent=matching (500 a
   * page, the server's most) and returns where each household lived, up to
   * max households.
   */
  async householdPoints(q: { bbox?: string; max?: number } = {}): Promise<W.HouseholdPoints> {
    const max = q.max ?? 5000;
    const features: W.HouseholdPoints["features"] = [];
    let after: string | undefined;
    do {
      const page = await this.households({ bbox: q.bbox, consent: "matching", after, limit: Math.min(500, max - features.length) });
      for (const hh of page.items) {
        const p = householdPoint(hh);
        if (p) features.push(p);
      }
      after = page.items.length ? page.next : undefined;
    } while (after && features.length < max);
    return { type: "FeatureCollection", features };
  }

  /** householdsCsv: GET /households/export.csv (organizer; consent-filtered, audited). */
  householdsCsv(): Promise<string> {
    return this.request("GET", "/households/export.csv", { accept: "text/csv" });
  }

  /** importHouseholdsCsv: POST /households/import (CSV body, per-row report). */
  importHouseholdsCsv(file: Blob): Promise<W.ImportReport> {
    return this.request("POST", "/households/import", { raw: file, contentType: "text/csv" });
  }

  // ---- community ----

  /** communities: GET /communities → {communities}. */
  async communities(): Promise<W.CommunitySummary[]> {
    return (await this.request<{ communities: W.CommunitySummary[] }>("GET", "/communities")).communities;
  }

  /** community: GET /communities/{id} (bylaws with each class's pathway). */
  community(id: string): Promise<W.CommunityDetail> {
    return this.request("GET", `/communities/${enc(id)}`);
  }

  /** apply: POST /communities/{id}/memberships (for the caller's household, the caller, or an organisation they represent). */
  apply(communityId: string, app: W.Application): Promise<W.MembershipWire> {
    return this.request("POST", `/communities/${enc(communityId)}/memberships`, { body: app });
  }

  /** myMemberships: GET /me/memberships → {memberships}. */
  async myMemberships(): Promise<W.MembershipWire[]> {
    return (await this.request<{ memberships: W.MembershipWire[] }>("GET", "/me/memberships")).memberships;
  }

  /** memberships: GET /communities/{id}/memberships?status= (community admins and organizers). */
  async memberships(communityId: string, status?: W.MembershipStatus): Promise<W.MembershipWire[]> {
    return (await this.request<{ memberships: W.MembershipWire[] }>("GET", `/communities/${enc(communityId)}/memberships`, { query: { status } })).memberships;
  }

  /** reviewMembership: POST /communities/{id}/memberships/{mid}/review {approve, note}. */
  reviewMembership(communityId: string, membershipId: string, approve: boolean, note = ""): Promise<W.MembershipWire> {
    return this.request("POST", `/communities/${enc(communityId)}/memberships/${enc(membershipId)}/review`, { body: { approve, note } });
  }

  /** completeMilestone: POST /communities/{id}/memberships/{mid}/milestones {milestone, note} (the next one, in order). */
  completeMilestone(communityId: string, membershipId: string, milestone: string, note: string): Promise<W.MembershipWire> {
    return this.request("POST", `/communities/${enc(communityId)}/memberships/${enc(membershipId)}/milestones`, { body: { milestone, note } });
  }

  /** proposals: GET /communities/{id}/proposals?status= → {proposals}. */
  async proposals(communityId: string, status?: "draft" | "open" | "closed"): Promise<W.ProposalWire[]> {
    return (await this.request<{ proposals: W.ProposalWire[] }>("GET", `/communities/${enc(communityId)}/proposals`, { query: { status } })).proposals;
  }

  /** vote: POST /communities/{cid}/proposals/{pid}/ballots {option, voterKey?, secret?} (changeable until close). */
  vote(communityId: string, proposalId: string, option: string, voterKey?: string, secret?: string): Promise<W.VoteResponse> {
    return this.request("POST", `/communities/${enc(communityId)}/proposals/${enc(proposalId)}/ballots`, { body: { option, voterKey, secret } });
  }
}

/** householdPoint is a household's former home as a point, or null when the viewer may not see it. */
export function householdPoint(hh: W.Household): W.HouseholdPoints["features"][number] | null {
  const { lon, lat } = hh.lost_home ?? {};
  if (typeof lon !== "number" || typeof lat !== "number") return null;
  return {
    type: "Feature",
    geometry: { type: "Point", coordinates: [lon, lat] },
    properties: { id: hh.id, size: hh.size, current_situation: hh.current?.situation || undefined, location_rounded: hh.location_rounded },
  };
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** newIdempotencyKey returns a random key for one money-creating submission. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/**
 * IdempotentForm keeps one key per distinct request body, so a resubmission
 * after a timeout reuses the key (and the server answers the first result)
 * while a changed form gets a fresh key.
 */
export class IdempotentForm {
  private body = "";
  private key = "";

  /** keyFor returns the key to send for this body. */
  keyFor(body: unknown): string {
    const s = JSON.stringify(body);
    if (s !== this.body || !this.key) {
      this.body = s;
      this.key = newIdempotencyKey();
    }
    return this.key;
  }

  /** done forgets the key once the server has answered, so a second pledge is a new one. */
  done(): void {
    this.body = "";
    this.key = "";
  }
}

// Wire types of the Common Ground API (/api/v1), as the client expects them.
// Field names are snake_case like the server's JSON. Money amounts are
// integers in minor units next to an ISO 4217 `currency`.

import type { Feature, FeatureCollection, Geometry, Point, Polygon, MultiPolygon } from "geojson";

export type Role = "resident" | "organizer" | "steward";

export interface Account {
  id: string;
  email: string;
  display_name: string;
  locale: "en" | "es";
  roles: Role[];
}

/** TokenResponse is the body of login, register and refresh; the refresh token itself travels only in its HttpOnly cookie. */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  account?: Account;
}

export interface RegisterRequest {
  email: string;
  password: string;
  display_name: string;
  locale: "en" | "es";
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface MePatch {
  display_name?: string;
  locale?: "en" | "es";
  current_password?: string;
  new_password?: string;
}

// ---- fund pool ----

export type CampaignStatus = "draft" | "open" | "funded" | "purchasing" | "completed" | "failed" | "cancelled";
export type CampaignMode = "all_or_nothing" | "keep_what_you_raise";

/** CampaignMapProperties are the properties of one feature of GET /map/campaigns. */
export interface CampaignMapProperties {
  id: string;
  title: string;
  title_es?: string;
  currency: string;
  target: number;
  received: number;
  /** committed is pledges, grants, matches and loans together: what counts toward the target. */
  committed?: number;
  /** percent, when given, is committed money in basis points of the target (10000 = 100 %), floored. */
  percent?: number;
  status: CampaignStatus;
  deadline: string;
}

export type CampaignMapFeature = Feature<Polygon | MultiPolygon | Point, CampaignMapProperties>;
export type CampaignMap = FeatureCollection<Polygon | MultiPolygon | Point, CampaignMapProperties>;

/** BudgetCategory follows the fund pool's budget categories. */
export type BudgetCategory = "land_price" | "closing_costs" | "infrastructure" | "housing_construction" | "relocation" | "administration" | "reserve" | "other";

export interface BudgetLine {
  category: BudgetCategory;
  label?: string;
  amount: number;
}

export interface FunderBreakdown {
  funder: string;
  program?: string;
  awarded: number;
  received: number;
  matched?: number;
}

/** Campaign is GET /campaigns/{id}: the campaign with its progress. */
export interface Campaign {
  id: string;
  title: string;
  title_es?: string;
  story?: string;
  story_es?: string;
  status: CampaignStatus;
  mode: CampaignMode;
  currency: string;
  deadline: string;
  /** version is what an update must name, so that it never overwrites a newer change. */
  version?: number;
  parcel_ids: string[];
  community_id?: string;
  budget: BudgetLine[];
  target: number;
  pledged: number;
  awarded: number;
  matched: number;
  received: number;
  disbursed: number;
  remaining: number;
  loans?: number;
  committed: number;
  /** percent_funded is committed in basis points of the target, floored; it may pass 10000. */
  percent_funded: number;
  funded_at?: string | null;
  by_funder: FunderBreakdown[];
  received_by_restriction?: Record<string, number>;
}

/** CampaignCreate is the body of POST /campaigns; the target must equal the budget's sum. */
export interface CampaignCreate {
  /** id is chosen by the client, so that a retried create cannot make a second campaign. */
  id: string;
  target: { amount_minor: number; currency: string };
  title: { en: string; es: string };
  story: { en: string; es: string };
  currency: string;
  /** deadline is an RFC 3339 time. */
  deadline: string;
  mode: CampaignMode;
  parcel_ids: string[];
  budget: Array<{ category: BudgetCategory; label?: string; amount: { amount_minor: number; currency: string } }>;
}

/** LedgerKind names a ledger transaction, as the fund pool does. */
export type LedgerKind =
  | "pledge_made"
  | "pledge_received"
  | "pledge_cancelled"
  | "grant_awarded"
  | "grant_received"
  | "match_earned"
  | "loan_committed"
  | "loan_received"
  | "disbursement"
  | "release"
  | "reversal";

export interface LedgerEntry {
  id: string;
  time: string;
  kind: LedgerKind;
  amount: number;
  currency: string;
  /** who: a pledger's name, "Anonymous", a funder or a payee. */
  who: string;
  memo?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

/** PledgeRequest is the body of POST /campaigns/{id}/pledges. */
export interface PledgeRequest {
  pledger: { kind: "person" | "organisation"; name: string };
  amount: { amount_minor: number; currency: string };
  anonymous: boolean;
}

export interface Pledge {
  id: string;
  campaign_id: string;
  amount: number;
  currency: string;
  status: "pledged" | "received" | "cancelled" | "released";
  anonymous: boolean;
  name?: string;
  received?: number;
}

export type GrantUse = "land_acquisition" | "infrastructure" | "housing_construction" | "relocation" | "administration";

/** GrantRequest is the body of POST /campaigns/{id}/grants. */
export interface GrantRequest {
  funder: string;
  program?: string;
  award_id?: string;
  awarded: { amount_minor: number; currency: string };
  uses: GrantUse[];
  /** match earns `match` for every `per` of resident pledges received, up to cap. */
  match?: { match: number; per: number; cap: { amount_minor: number; currency: string } };
  reporting_duties?: string;
}

/** ReceiptRequest is the body of POST /campaigns/{id}/receipts: money that came in for one source. */
export interface ReceiptRequest {
  source_kind: "pledge" | "grant" | "loan";
  source_id: string;
  amount: { amount_minor: number; currency: string };
}

/** DisbursementRequest is the body of POST /campaigns/{id}/disbursements. */
export interface DisbursementRequest {
  amount: { amount_minor: number; currency: string };
  use: GrantUse;
  payee: string;
  memo?: string;
}

export interface Disbursement {
  id: string;
  amount: number;
  currency: string;
  use: GrantUse;
  payee: string;
  memo?: string;
  status: "proposed" | "approved" | "posted" | "rejected";
  proposed_by: string;
}

// ---- geo ----

export type ParcelStatus = "identified" | "evaluating" | "negotiating" | "under_contract" | "acquired" | "rejected";
export type HazardKind = "wildfire" | "flood" | "landslide" | "other";

export interface ParcelProperties {
  id: string;
  parcelnumb?: string;
  geoid?: string;
  address?: string;
  owner?: string;
  owner_type?: string;
  land_use?: string;
  zoning?: string;
  deeded_acres?: number;
  computed_acres?: number;
  land_value?: number;
  improvement_value?: number;
  asking_price?: number;
  currency?: string;
  status: ParcelStatus;
  rejected_reason?: string;
  notes?: string;
  hazards?: Array<{ kind: HazardKind; share: number; severity?: HazardProperties["severity"] }>;
  distance_m?: number;
}

export type ParcelFeature = Feature<Polygon | MultiPolygon, ParcelProperties>;
export type ParcelCollection = FeatureCollection<Polygon | MultiPolygon, ParcelProperties>;

export interface ParcelPatch {
  status?: ParcelStatus;
  rejected_reason?: string;
  asking_price?: number;
  notes?: string;
}

/** ImportReport is the per-feature answer of POST /parcels/import and /hazards/import. */
export interface ImportReport {
  accepted: number;
  rejected: number;
  updated?: number;
  features: Array<{ index: number; status: "accepted" | "updated" | "rejected"; id?: string; source_id?: string; reason?: string }>;
}

export interface HazardProperties {
  id: string;
  kind: HazardKind;
  severity: "low" | "moderate" | "high" | "very_high" | "extreme";
  source?: string;
  effective_date?: string;
}

export type HazardCollection = FeatureCollection<Polygon | MultiPolygon, HazardProperties>;

export interface MatchWeights {
  distance: number;
  capacity: number;
  affordability: number;
  hazard: number;
  points: number;
}

/**
 * MatchRequest is the body of POST /matches. The group is given by its
 * former homes (the households' lost_home points) and, when it needs more
 * homes than it lists, its number of households.
 */
export interface MatchRequest {
  homes?: Array<{ lon: number; lat: number }>;
  /** community_id matches for a community's households, and judges affordability against its campaigns. */
  community_id?: string;
  households?: number;
  weights: MatchWeights;
  exclude_hazards?: boolean;
  units_per_acre?: number;
  points?: Array<{ lon: number; lat: number; label?: string }>;
  limit: number;
}

export interface MatchReason {
  part: keyof MatchWeights;
  score: number;
  /** value is the measured quantity: metres, households of capacity, minor units, share of area. */
  value?: number;
  detail?: string;
}

export interface MatchResult {
  parcel_id: string;
  score: number;
  address?: string;
  parts: MatchReason[];
}

export interface MatchResponse {
  results: MatchResult[];
  /** budget is what affordability was judged against, when it was scored. */
  budget?: { minor: number; currency?: string; source: "request" | "fund_pool"; campaign_ids?: string[] };
}

// ---- households ----
// Enumerations and field names follow the community package's household record.

export type AgeBand = "under_5" | "5_12" | "13_17" | "18_24" | "25_34" | "35_44" | "45_54" | "55_61" | "62_plus";
export type Relationship = "head" | "spouse_or_partner" | "child" | "other_relative" | "unrelated";
export type AccessibilityNeed = "wheelchair" | "mobility" | "vision" | "hearing" | "cognitive" | "medical_equipment" | "other";
export type CurrentSituation = "shelter" | "hotel" | "family_or_friends" | "vehicle" | "rental" | "other";
export type Tenure = "owner" | "renter" | "owner_on_rented_lot";
export type IncomeBand = "below_30" | "30_50" | "50_80" | "80_120" | "above_120";
export type Insurance = "insured" | "underinsured" | "uninsured" | "unknown";
export type ConsentPurpose = "contact" | "matching" | "partner_sharing" | "aggregate_statistics";

export interface Member {
  name: string;
  preferred_name?: string;
  relationship: Relationship;
  /** age_band is empty when the person prefers not to say. */
  age_band: AgeBand | "";
  accessibility?: AccessibilityNeed[];
}

export interface ConsentGrant {
  purpose: ConsentPurpose;
  /** text_version is the hex SHA-256 of the exact consent text shown (it names the language too). */
  text_version: string;
  /** partners names the organisations a partner_sharing consent covers. */
  partners?: string[];
}

/** HouseholdRequest is the body of POST /households (and, partly, PATCH /households/{id}). */
export interface HouseholdRequest {
  members: Member[];
  pets: { count: number; service_animal: boolean };
  language: "en" | "es";
  contact: { phone?: string; email?: string };
  lost_home: { lon?: number; lat?: number; address?: string };
  current: { situation: CurrentSituation | ""; zip_code?: string };
  tenure_before?: Tenure;
  income_band?: IncomeBand;
  needs: { bedrooms: number; accessibility: AccessibilityNeed[] };
  interested_in_coop: boolean;
  interested_in_land_trust: boolean;
  fema?: { disaster_number?: string; registration_id?: string };
  insurance?: Insurance;
  notes?: string;
  consents: ConsentGrant[];
}

/** HouseholdPatch is the body of PATCH /households/{id}: changed fields, consents given and purposes withdrawn. */
export interface HouseholdPatch extends Partial<Omit<HouseholdRequest, "consents">> {
  version?: number;
  consents?: ConsentGrant[];
  withdraw_consents?: ConsentPurpose[];
}

/** Household is a household as the server shows it to its viewer; fields the viewer may not see are listed in withheld. */
export interface Household extends Omit<HouseholdRequest, "consents"> {
  id: string;
  size: number;
  access: "owner" | "matching" | "sensitive";
  withheld: string[];
  location_rounded?: boolean;
  version: number;
  created_at: string;
  updated_at: string;
  consents: Array<ConsentGrant & { given_at: string; withdrawn_at?: string | null; in_force?: boolean }>;
  /** voters: the owner only: other adults who joined with their own accounts to vote. */
  voters?: HouseholdVoter[];
}

/** HouseholdVoter is an adult who joined a household with their own account, to vote. */
export interface HouseholdVoter {
  account_id: string;
  linked_at: string;
}

/** HouseholdVoterLink is POST /me/household/voters and GET /me/voter-household. */
export interface HouseholdVoterLink extends HouseholdVoter {
  household_id: string;
}

/** HouseholdExport is GET /me/household/export: everything held about the household. */
/** ClaimCode is a one-time code with which a family takes over the household an organizer registered. */
export interface ClaimCode {
  id: string;
  code: string;
  expires_at: string;
}

export interface HouseholdExport {
  exported_at: string;
  household: Household;
  consent_texts: unknown[];
  possible_duplicates?: Array<{ id: string; reasons: string[] }>;
}

/** ConsentText is a purpose's current wording in one language with its version (hex SHA-256 of the text). */
export interface ConsentText {
  purpose: ConsentPurpose;
  language: "en" | "es";
  version: string;
  text: string;
}

/** HouseholdGridProperties describe one public grid cell; cells under 5 households are never sent. */
export interface HouseholdGridProperties {
  households: number;
  people?: number;
  accessibility?: number;
  cell_km?: number;
}

export type HouseholdGrid = FeatureCollection<Polygon, HouseholdGridProperties>;

/** HouseholdPoint is where a household that consented to matching lived, as an organizer sees it. */
export interface HouseholdPointProperties {
  id: string;
  size: number;
  current_situation?: CurrentSituation;
  possible_duplicate?: boolean;
  location_rounded?: boolean;
}

export type HouseholdPoints = FeatureCollection<Point, HouseholdPointProperties>;

// ---- community ----
// The community routes speak camelCase and carry money as {minor, currency}.

export interface MoneyWire {
  minor: number;
  currency: string;
}

export interface CommunitySummary {
  id: string;
  name: string;
  model: string;
  bylawsVersion: number;
}

export interface MilestoneDef {
  key: string;
  kind: string;
  name: string;
  days?: number;
  verifiedBy: string[];
}

export interface MembershipClass {
  key: string;
  name: string;
  eligible?: "household" | "person" | "organisation";
  share?: { amount: { minor: number; currency: string }; instalments: number; refundable: boolean };
  voteBasis?: "per_household" | "per_person";
  pathway: MilestoneDef[];
}

/** CommunityDetail is GET /communities/{id}, reduced to what the screens read. */
export interface CommunityDetail {
  id: string;
  name: string;
  model: string;
  regions?: Array<{ key: string; name: string }>;
  bylaws: { version: number; classes: MembershipClass[] };
  yourRoles: string[];
}

/** Application is POST /communities/{id}/memberships. */
export interface Application {
  classKey: string;
  organisationName?: string;
  region?: string;
  statement?: string;
}

export type MembershipStatus = "applied" | "provisional" | "rejected" | "member" | "withdrawn" | "exited";

/** MembershipWire is one membership as the community routes return it. */
export interface MembershipWire {
  id: string;
  communityId: string;
  classKey: string;
  householdId?: string;
  personId?: string;
  organisationId?: string;
  /** organisationName is set for organisation classes; the caller holds it as representativeId. */
  organisationName?: string;
  representativeId?: string;
  statement?: string;
  status: MembershipStatus;
  appliedBy: string;
  appliedAt: string;
  milestones: Array<{ key: string; note?: string; verifiedBy?: string; at: string }>;
  nextMilestone?: MilestoneDef;
  paid: MoneyWire;
}

/** ProposalWire is one proposal; texts and labels are keyed by language. */
export interface ProposalWire {
  id: string;
  communityId: string;
  kind: string;
  text: Record<string, { title: string; body: string }>;
  options: Array<{ key: string; label: Record<string, string>; abstain: boolean }>;
  anonymous: boolean;
  opens: string;
  closes: string;
  status: "draft" | "open" | "closed";
  yourVoters: Array<{ key: string; classKey: string; weight: number }>;
}

/** VoteResponse confirms a ballot; secret comes once, with the first ballot on an anonymous proposal. */
export interface VoteResponse {
  proposalId: string;
  option: string;
  voterKey?: string;
  replaced: boolean;
  secret?: string;
}

export type { Geometry };

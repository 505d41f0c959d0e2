// The fund pool routes' JSON and its conversion to what the screens use.
// Amounts arrive as {amount_minor, currency, display}; texts as {en, es}.

import type * as W from "./types";

export interface AmountWire {
  amount_minor: number;
  currency: string;
  display?: string;
}

export interface Bilingual {
  en: string;
  es: string;
}

export interface ProgressWire {
  target: AmountWire;
  pledged: AmountWire;
  awarded: AmountWire;
  matched: AmountWire;
  loans: AmountWire;
  committed: AmountWire;
  received: AmountWire;
  disbursed: AmountWire;
  remaining: AmountWire;
  percent_funded_basis_points: number;
  funded_at: string | null;
  by_funder: Array<{ funder: string; kind: string; awarded: AmountWire; matched: AmountWire; received: AmountWire }>;
}

export interface CampaignWire {
  id: string;
  community_id?: string;
  title: Bilingual;
  story: Bilingual;
  parcel_ids: string[];
  budget: Array<{ category: W.BudgetCategory; label: string; amount: AmountWire }>;
  target: AmountWire;
  currency: string;
  deadline: string;
  mode: W.CampaignMode;
  status: W.CampaignStatus;
  version: number;
  progress?: ProgressWire;
}

export interface CampaignMapWire {
  type: "FeatureCollection";
  features: Array<{
    type: "Feature";
    id: string;
    geometry: W.CampaignMapFeature["geometry"] | null;
    properties: { title: Bilingual; target: AmountWire; received: AmountWire; committed: AmountWire; status: W.CampaignStatus; deadline: string; parcel_ids: string[] };
  }>;
}

export interface LedgerEntryWire {
  id: string;
  kind: W.LedgerKind;
  time: string;
  memo?: string;
  source?: { kind: string; id: string; name?: string; program?: string };
  total: AmountWire;
  disbursement?: { id: string; use: string; payee: string };
}

export interface PledgeWire {
  id: string;
  campaign_id: string;
  name: string;
  kind: "person" | "organisation";
  anonymous: boolean;
  amount: AmountWire;
  state: W.Pledge["status"];
  received: AmountWire;
  outstanding: AmountWire;
}

export interface DisbursementWire {
  id: string;
  campaign_id: string;
  amount: AmountWire;
  use: W.GrantUse;
  payee: string;
  memo: string;
  state: W.Disbursement["status"];
  proposed_by: string;
}

/** amount sends minor units with their currency. */
export function amount(minor: number, currency: string): AmountWire {
  return { amount_minor: minor, currency };
}

const zero = (currency: string): AmountWire => ({ amount_minor: 0, currency });

/** fromMapFeature turns a /map/campaigns feature into the map's properties; a campaign without parcel geometry keeps a null geometry. */
export function fromMapFeature(f: CampaignMapWire["features"][number]): W.CampaignMapFeature {
  const p = f.properties;
  return {
    type: "Feature",
    geometry: f.geometry as W.CampaignMapFeature["geometry"],
    properties: {
      id: f.id,
      title: p.title.en || p.title.es,
      title_es: p.title.es || undefined,
      currency: p.target.currency,
      target: p.target.amount_minor,
      received: p.received.amount_minor,
      committed: p.committed.amount_minor,
      status: p.status,
      deadline: p.deadline,
    },
  };
}

/** fromCampaign flattens a campaign and its progress into the campaign page's model. */
export function fromCampaign(c: CampaignWire): W.Campaign {
  const cur = c.currency;
  const p = c.progress;
  const m = (a: AmountWire | undefined) => (a ?? zero(cur)).amount_minor;
  return {
    id: c.id,
    title: c.title.en || c.title.es,
    title_es: c.title.es || undefined,
    story: c.story.en || undefined,
    story_es: c.story.es || undefined,
    status: c.status,
    mode: c.mode,
    currency: cur,
    deadline: c.deadline,
    version: c.version,
    parcel_ids: c.parcel_ids,
    community_id: c.community_id,
    budget: c.budget.map((b) => ({ category: b.category, label: b.label || undefined, amount: b.amount.amount_minor })),
    target: c.target.amount_minor,
    pledged: m(p?.pledged),
    awarded: m(p?.awarded),
    matched: m(p?.matched),
    loans: m(p?.loans),
    committed: m(p?.committed),
    received: m(p?.received),
    disbursed: m(p?.disbursed),
    remaining: p ? p.remaining.amount_minor : c.target.amount_minor,
    percent_funded: p ? p.percent_funded_basis_points : 0,
    funded_at: p?.funded_at ?? null,
    by_funder: (p?.by_funder ?? []).map((f) => ({ funder: f.funder, awarded: f.awarded.amount_minor, matched: f.matched.amount_minor, received: f.received.amount_minor })),
  };
}

/** fromLedgerEntry names who each entry is from or to: the pledger (or "Anonymous"), the funder, or the payee. */
export function fromLedgerEntry(e: LedgerEntryWire): W.LedgerEntry {
  return {
    id: e.id,
    time: e.time,
    kind: e.kind,
    amount: e.total.amount_minor,
    currency: e.total.currency,
    who: e.disbursement?.payee ?? [e.source?.name, e.source?.program].filter(Boolean).join(" — "),
    memo: e.memo,
  };
}

/** fromPledge is a pledge as an organizer sees it. */
export function fromPledge(p: PledgeWire): W.Pledge {
  return { id: p.id, campaign_id: p.campaign_id, amount: p.amount.amount_minor, currency: p.amount.currency, status: p.state, anonymous: p.anonymous, name: p.name, received: p.received.amount_minor };
}

/** fromDisbursement is a proposed or decided payment. */
export function fromDisbursement(d: DisbursementWire): W.Disbursement {
  return { id: d.id, amount: d.amount.amount_minor, currency: d.amount.currency, use: d.use, payee: d.payee, memo: d.memo || undefined, status: d.state, proposed_by: d.proposed_by };
}

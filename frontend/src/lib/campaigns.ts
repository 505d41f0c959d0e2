// Filtering and ordering of the public campaign list; pure so it is tested
// apart from the map.

import type { CampaignMapFeature, CampaignStatus } from "../api/types";
import { percentBasisPoints, toBigInt } from "./money";

/** CampaignFilter is what the side list's controls select. */
export interface CampaignFilter {
  status: CampaignStatus | "active" | "all";
  text: string;
  sort: "progress" | "deadline" | "title";
}

/** ACTIVE are the statuses a visitor can still help with. */
export const ACTIVE: ReadonlySet<CampaignStatus> = new Set(["open", "funded", "purchasing"]);

/**
 * fundedBasisPoints is a campaign's progress in basis points: the server's
 * figure (committed money over the target) when it sent one, otherwise
 * computed exactly from the integer amounts it did send.
 */
export function fundedBasisPoints(p: { percent?: number; percent_funded?: number; committed?: number; received: number; target: number }): number {
  const server = p.percent_funded ?? p.percent;
  if (server !== undefined && Number.isSafeInteger(server) && server >= 0) return server;
  return percentBasisPoints(toBigInt(p.committed ?? p.received), toBigInt(p.target));
}

/** campaignTitle picks the Spanish title when the page is in Spanish and one exists. */
export function campaignTitle(p: { title: string; title_es?: string }, locale: string): string {
  return locale === "es" && p.title_es ? p.title_es : p.title;
}

/** filterCampaigns applies the list's filter and order; it never changes its input. */
export function filterCampaigns(features: CampaignMapFeature[], f: CampaignFilter, locale: string): CampaignMapFeature[] {
  const text = f.text.trim().toLocaleLowerCase(locale);
  const out = features.filter((c) => {
    const p = c.properties;
    if (f.status === "active" && !ACTIVE.has(p.status)) return false;
    if (f.status !== "active" && f.status !== "all" && p.status !== f.status) return false;
    if (text && !campaignTitle(p, locale).toLocaleLowerCase(locale).includes(text) && !p.title.toLocaleLowerCase(locale).includes(text)) return false;
    return true;
  });
  const collator = new Intl.Collator(locale);
  out.sort((a, b) => {
    const pa = a.properties;
    const pb = b.properties;
    let d = 0;
    if (f.sort === "progress") d = fundedBasisPoints(pb) - fundedBasisPoints(pa);
    else if (f.sort === "deadline") d = pa.deadline.localeCompare(pb.deadline);
    if (d === 0) d = collator.compare(campaignTitle(pa, locale), campaignTitle(pb, locale));
    return d !== 0 ? d : pa.id.localeCompare(pb.id);
  });
  return out;
}

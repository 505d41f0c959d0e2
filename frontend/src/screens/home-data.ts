// The fund map's data, fetched before its screen's code has loaded.

import type { Api } from "../api/client";
import type { CampaignMap } from "../api/types";

let early: Promise<CampaignMap> | null = null;

/**
 * preloadCampaignMap starts fetching the public campaign map while the app
 * is still loading the screen's code and restoring the session: the map is
 * public, so the first campaigns need not wait for either.
 */
export function preloadCampaignMap(api: Api): void {
  early = api.campaignMap();
  early.catch(() => {});
}

/** takeCampaignMap returns the preloaded campaign map once, and fetches it afresh after that. */
export function takeCampaignMap(api: Api): Promise<CampaignMap> {
  const p = early ?? api.campaignMap();
  early = null;
  return p;
}

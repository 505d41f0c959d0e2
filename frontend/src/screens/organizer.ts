// Organizer console: parcels, hazards and consented households on a map,
// GeoJSON and CSV import with per-feature reports, parcel detail, matching,
// campaigns and membership.

import L from "leaflet";
import "leaflet.markercluster/dist/MarkerCluster.css";
import "leaflet.markercluster/dist/MarkerCluster.Default.css";
import type { Ctx } from "../app";
import { hasRole } from "../app";
import type { Campaign, CampaignCreate, CommunityDetail, ImportReport, MembershipWire, MatchWeights, ParcelFeature, ParcelStatus } from "../api/types";
import { ApiError, bboxParam, householdPoint } from "../api/client";
import { getLocale, t, tn, type MessageKey } from "../i18n/i18n";
import { announce, clear, dataTable, download, field, h, onAttached, setFieldError, uid } from "../lib/dom";
import { formatDate, formatDistance, formatMoney, formatNumber, formatPercent } from "../lib/format";
import { PARSE_LIMIT, precheckGeoJSON } from "../lib/geojson-file";
import { DEFAULT_WEIGHTS, WEIGHT_PARTS, normalizeWeights, parseIds, parsePoints, strongestParts } from "../lib/matching";
import { parseAmount } from "../lib/money";
import { createMap } from "../map/basemap";
import { hazardColor, statusColor } from "../map/ring";
import { fundedBasisPoints } from "../lib/campaigns";
import { membershipView } from "../lib/community-view";

const PARCEL_STATUSES: ParcelStatus[] = ["identified", "evaluating", "negotiating", "under_contract", "acquired", "rejected"];
const TABS = ["map", "import", "matching", "campaigns", "membership"] as const;
type Tab = (typeof TABS)[number];

/** loadCluster brings in leaflet.markercluster, which extends the global L. */
async function loadCluster(): Promise<void> {
  (window as unknown as { L: typeof L }).L = L;
  await import("leaflet.markercluster");
}

/** guard answers with an explanation when the session may not use the console. */
export function guard(ctx: Ctx): HTMLElement | null {
  if (!ctx.session.account) return h("div", null, h("h1", null, t("nav.organizer")), h("p", null, t("org.signIn"), " ", h("a", { href: "/sign-in?next=/organize" }, t("auth.signIn"))));
  if (!hasRole(ctx.session, "organizer", "steward")) return h("div", null, h("h1", null, t("nav.organizer")), h("p", null, t("org.notOrganizer")));
  return null;
}

/** errText is what to tell an organizer about a failed call. */
export function errText(e: unknown): string {
  if (!(e instanceof ApiError) || e.status === 0) return t("common.offline");
  // Organizers see each bad field with the server's reason, so they can fix it.
  const fields = e.fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  return fields ? `${t("form.fixErrors")} ${fields}` : e.message || e.title;
}

/** organizer renders the console with its tabs (?tab=...). */
export async function organizer(ctx: Ctx): Promise<HTMLElement> {
  const blocked = guard(ctx);
  if (blocked) return blocked;
  const tab = (TABS as readonly string[]).includes(ctx.search.get("tab") ?? "") ? (ctx.search.get("tab") as Tab) : "map";
  const panel = h("div", { role: "tabpanel", id: "org-panel", "aria-labelledby": `tab-${tab}` });
  const tabs = h(
    "div",
    { class: "tabs", role: "tablist", "aria-label": t("nav.organizer") },
    TABS.map((k) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          id: `tab-${k}`,
          "aria-selected": String(k === tab),
          "aria-controls": "org-panel",
          tabindex: k === tab ? "0" : "-1",
          onclick: () => ctx.go(`/organize?tab=${k}`),
          onkeydown: (e: KeyboardEvent) => {
            const i = TABS.indexOf(k);
            const next = e.key === "ArrowRight" ? TABS[(i + 1) % TABS.length] : e.key === "ArrowLeft" ? TABS[(i + TABS.length - 1) % TABS.length] : null;
            if (next) {
              e.preventDefault();
              ctx.go(`/organize?tab=${next}`);
              requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
            }
          },
        },
        t(`org.tab.${k}` as MessageKey),
      ),
    ),
  );
  const builders: Record<Tab, (ctx: Ctx) => Promise<HTMLElement> | HTMLElement> = {
    map: mapTab,
    import: importTab,
    matching: matchingTab,
    campaigns: campaignsTab,
    membership: membershipTab,
  };
  panel.append(await builders[tab](ctx));
  return h("div", null, h("h1", null, t("nav.organizer")), tabs, panel);
}

async function mapTab(ctx: Ctx): Promise<HTMLElement> {
  const locale = getLocale();
  await loadCluster();
  const mapEl = h("div", { class: "map", id: "org-map" });
  const listBody = h("tbody");
  const note = h("p", { class: "meta", role: "status" });
  const parcelLayer = L.geoJSON<ParcelFeature["properties"]>(undefined, {
    style: (f) => ({ color: statusColor[f?.properties.status ?? "identified"], weight: 2, fillOpacity: 0.3 }),
    onEachFeature: (f, layer) => {
      layer.bindTooltip(`${f.properties.address ?? f.properties.parcelnumb ?? f.properties.id} — ${t(`parcelStatus.${f.properties.status}` as MessageKey)}`);
      layer.on("click", () => ctx.go(`/organize/parcels/${encodeURIComponent(f.properties.id)}`));
    },
  });
  const hazardLayer = L.geoJSON(undefined, {
    style: (f) => ({ color: hazardColor[f?.properties?.kind] ?? "#6b7280", weight: 1, fillOpacity: 0.2, dashArray: "4 3" }),
    interactive: false,
  });
  const households = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });

  let fitted = false;
  let removed = false;
  async function load(map: L.Map): Promise<void> {
    const b = map.getBounds();
    const bbox = bboxParam(b.getWest(), b.getSouth(), b.getEast(), b.getNorth());
    const [parcels, hazards, points] = await Promise.allSettled([
      ctx.api.parcels({ bbox, limit: 2000 }),
      ctx.api.hazards({ bbox }),
      ctx.api.householdPoints({ bbox, max: 5000 }),
    ]);
    // The organizer may have left the screen while the answers came.
    if (removed) return;
    parcelLayer.clearLayers();
    hazardLayer.clearLayers();
    households.clearLayers();
    clear(listBody);
    if (parcels.status === "fulfilled") {
      parcelLayer.addData(parcels.value);
      for (const f of parcels.value.features) {
        const p = f.properties;
        listBody.append(
          h(
            "tr",
            null,
            h("td", null, h("a", { href: `/organize/parcels/${encodeURIComponent(p.id)}` }, p.address || p.parcelnumb || p.id)),
            h("td", null, t(`parcelStatus.${p.status}` as MessageKey)),
            h("td", { class: "num" }, p.computed_acres !== undefined ? formatNumber(Math.round(p.computed_acres * 100) / 100, locale) : "—"),
            h("td", { class: "num" }, p.asking_price !== undefined ? formatMoney(p.asking_price, p.currency ?? "USD", locale) : "—"),
            h("td", null, p.hazards?.length ? p.hazards.map((z) => `${t(`hazard.${z.kind}` as MessageKey)} ${formatPercent(Math.round(z.share * 10000), locale)}`).join(", ") : t("org.noHazard")),
          ),
        );
      }
    }
    if (hazards.status === "fulfilled") hazardLayer.addData(hazards.value);
    if (!fitted && parcelLayer.getLayers().length) {
      // Open on the parcels once; later moves are the organizer's own.
      fitted = true;
      map.fitBounds(parcelLayer.getBounds(), { padding: [30, 30], maxZoom: 14 });
    }
    if (points.status === "fulfilled") {
      for (const f of points.value.features) {
        const [lon, lat] = f.geometry.coordinates;
        households.addLayer(L.circleMarker([lat, lon], { radius: 6, color: "#6b3fa0", fillOpacity: 0.8 }).bindTooltip(tn("org.householdOf", f.properties.size)));
      }
    }
    const nParcels = parcels.status === "fulfilled" ? parcels.value.features.length : 0;
    const nHouseholds = points.status === "fulfilled" ? points.value.features.length : 0;
    note.textContent = parcels.status === "rejected" ? errText(parcels.reason) : t("org.mapCounts", { parcels: formatNumber(nParcels, locale), households: formatNumber(nHouseholds, locale) });
  }

  onAttached(mapEl, () => {
    const map = createMap(mapEl, { label: t("org.mapLabel") });
    hazardLayer.addTo(map);
    parcelLayer.addTo(map);
    households.addTo(map);
    L.control.layers(undefined, { [t("org.layer.parcels")]: parcelLayer, [t("org.layer.hazards")]: hazardLayer, [t("org.layer.households")]: households }, { collapsed: false }).addTo(map);
    map.on("moveend", () => void load(map));
    void load(map);
    ctx.onCleanup(() => {
      removed = true;
      map.off();
      map.remove();
    });
  });

  return h(
    "section",
    null,
    h("h2", null, t("org.tab.map")),
    h("ul", { class: "legend", "aria-label": t("org.legend") }, PARCEL_STATUSES.map((s) => h("li", null, h("span", { class: "swatch", style: `background:${statusColor[s]}` }), t(`parcelStatus.${s}` as MessageKey)))),
    mapEl,
    note,
    h("h3", null, t("org.parcelList")),
    dataTable(
      [{ label: t("org.parcel") }, { label: t("org.status") }, { label: t("org.acres"), num: true }, { label: t("org.price"), num: true }, { label: t("org.hazards") }],
      listBody,
    ),
  );
}

function reportView(r: ImportReport): HTMLElement {
  const rejected = r.features.filter((f) => f.status === "rejected");
  return h(
    "div",
    { class: "panel", role: "status" },
    h("p", null, t("import.summary", { accepted: r.accepted, updated: r.updated ?? 0, rejected: r.rejected })),
    dataTable(
      [{ label: t("import.feature"), num: true }, { label: t("import.result") }, { label: t("import.reason") }],
      [...rejected, ...r.features.filter((f) => f.status !== "rejected")].slice(0, 500).map((f) =>
        h("tr", null, h("td", { class: "num" }, String(f.index)), h("td", null, t(`import.status.${f.status}` as MessageKey)), h("td", null, f.reason ?? f.source_id ?? "")),
      ),
    ),
  );
}

function dropZone(label: string, accept: string, onFile: (file: File) => void): HTMLElement {
  const input = h("input", { type: "file", accept, id: uid(), class: "visually-hidden" });
  input.addEventListener("change", () => input.files?.[0] && onFile(input.files[0]));
  const zone = h(
    "div",
    { class: "dropzone" },
    h("p", null, label),
    h("label", { for: input.id, class: "button secondary", tabindex: "0", onkeydown: (e: KeyboardEvent) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), input.click()) }, t("import.choose")),
    input,
  );
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const f = e.dataTransfer?.files?.[0];
    if (f) onFile(f);
  });
  return zone;
}

function importTab(ctx: Ctx): HTMLElement {
  const out = h("div");
  const status = h("p", { role: "status" });
  async function geojson(kind: "parcels" | "hazards", file: File): Promise<void> {
    clear(out);
    const pre = precheckGeoJSON(file.size, file.size <= PARSE_LIMIT ? await file.text() : null);
    if (!pre.ok) {
      status.textContent = t(`import.bad.${pre.reason}` as MessageKey);
      announce(status.textContent);
      return;
    }
    status.textContent = pre.features === null ? t("import.sendingBig") : tn("import.sending", pre.features);
    try {
      const report = kind === "parcels" ? await ctx.api.importParcels(file) : await ctx.api.importHazards(file);
      status.textContent = t("import.done");
      out.append(reportView(report));
    } catch (e) {
      status.textContent = errText(e);
      if (e instanceof ApiError && e.fields.length) out.append(h("ul", null, e.fields.map((f) => h("li", null, `${f.field}: ${f.message}`))));
    }
    announce(status.textContent ?? "");
  }
  async function csv(file: File): Promise<void> {
    clear(out);
    try {
      out.append(reportView(await ctx.api.importHouseholdsCsv(file)));
      status.textContent = t("import.done");
    } catch (e) {
      status.textContent = errText(e);
    }
  }
  const exportBtn = h("button", { type: "button", class: "secondary" }, t("import.exportCsv"));
  exportBtn.addEventListener("click", async () => {
    try {
      const text = await ctx.api.householdsCsv();
      download(new Blob([text], { type: "text/csv" }), "households.csv");
    } catch (e) {
      status.textContent = errText(e);
    }
  });
  return h(
    "section",
    null,
    h("h2", null, t("import.heading")),
    h("h3", null, t("import.parcels")),
    dropZone(t("import.dropParcels"), ".geojson,.json,application/geo+json,application/json", (f) => void geojson("parcels", f)),
    h("h3", null, t("import.hazards")),
    dropZone(t("import.dropHazards"), ".geojson,.json,application/geo+json,application/json", (f) => void geojson("hazards", f)),
    h("h3", null, t("import.households")),
    dropZone(t("import.dropCsv"), ".csv,text/csv", (f) => void csv(f)),
    h("div", { class: "actions" }, exportBtn),
    status,
    out,
    claimCodeForm(ctx),
  );
}

/**
 * claimCodeForm makes a one-time code for a family registered without an
 * account, which the organizer hands over so that the family can take the
 * household over from My household.
 */
function claimCodeForm(ctx: Ctx): HTMLElement {
  const id = h("input", { type: "text", name: "household", autocomplete: "off", spellcheck: "false", required: true });
  const status = h("p", { role: "status" });
  const out = h("div");
  const form = h(
    "form",
    { "aria-labelledby": "claim-code-heading" },
    h("h3", { id: "claim-code-heading" }, t("org.claimHeading")),
    h("p", { class: "hint" }, t("org.claimExplain")),
    field(t("org.claimHousehold"), id),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("org.claimMake"))),
    status,
    out,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(out);
    status.textContent = "";
    if (id.value.trim() === "") {
      status.textContent = t("org.claimNoId");
      return;
    }
    try {
      const c = await ctx.api.issueClaimCode(id.value.trim());
      out.append(h("p", null, t("org.claimCode"), " ", h("strong", { class: "claim-code" }, c.code)), h("p", { class: "hint" }, t("org.claimUntil", { date: formatDate(c.expires_at, getLocale()) })));
      status.textContent = t("org.claimMade");
    } catch (err) {
      status.textContent = errText(err);
    }
    announce(status.textContent ?? "");
  });
  return form;
}

/**
 * groupHomes finds the former homes of the group to match for: the
 * households named, or else every household that consented to matching. The
 * server ranks parcels by these points; households whose location the
 * organizer may not see are left out. (A community is matched by its id:
 * the server finds its households and its campaigns' money.)
 */
async function groupHomes(ctx: Ctx, ids: string[]): Promise<Array<{ lon: number; lat: number }>> {
  const points =
    ids.length > 0
      ? (await Promise.all(ids.map((id) => ctx.api.household(id).then(householdPoint, () => null)))).filter((p) => p !== null)
      : (await ctx.api.householdPoints({ max: 5000 })).features;
  return points.map((p) => ({ lon: p.geometry.coordinates[0], lat: p.geometry.coordinates[1] }));
}

function matchingTab(ctx: Ctx): HTMLElement {
  const locale = getLocale();
  const weights: MatchWeights = { ...DEFAULT_WEIGHTS };
  const ids = h("textarea", { id: uid(), rows: "3" });
  const community = h("input", { id: uid() });
  const exclude = h("input", { type: "checkbox", id: uid(), checked: true });
  const places = h("textarea", { id: uid(), rows: "3" });
  const results = h("ol", { class: "list", "aria-live": "polite" });
  const status = h("p", { role: "status" });
  const sliders = WEIGHT_PARTS.map((part) => {
    const id = uid();
    const out = h("output", { for: id }, String(weights[part]));
    const range = h("input", { type: "range", id, min: "0", max: "100", step: "5", value: String(weights[part]) });
    range.addEventListener("input", () => {
      weights[part] = Number(range.value);
      out.textContent = range.value;
    });
    return h("div", { class: "slider" }, h("label", { for: id }, t(`match.part.${part}` as MessageKey)), range, out);
  });
  const form = h(
    "form",
    { class: "panel", novalidate: true },
    field(t("match.households"), ids, t("match.householdsHint")),
    field(t("match.community"), community),
    h("fieldset", null, h("legend", null, t("match.weights")), sliders),
    field(t("match.places"), places, t("match.placesHint")),
    h("div", { class: "check" }, exclude, h("label", { for: exclude.id }, t("match.excludeHazards"))),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("match.run"))),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const householdIds = parseIds(ids.value);
    const pts = parsePoints(places.value);
    setFieldError(places, pts.bad.length ? t("match.placesBad", { lines: pts.bad.join(", ") }) : "");
    if (pts.bad.length) {
      places.focus();
      return;
    }
    status.textContent = t("common.loading");
    try {
      const communityId = community.value.trim();
      const byCommunity = householdIds.length === 0 && communityId !== "";
      const homes = byCommunity ? [] : await groupHomes(ctx, householdIds);
      if (!byCommunity && homes.length === 0) {
        status.textContent = t("match.needGroup");
        return;
      }
      const res = await ctx.api.match({
        points: pts.points.length ? pts.points : undefined,
        ...(byCommunity ? { community_id: communityId } : { homes, households: homes.length }),
        weights: normalizeWeights(weights),
        exclude_hazards: exclude.checked,
        limit: 20,
      });
      clear(results);
      status.textContent = tn("match.count", res.results.length);
      if (res.budget?.source === "fund_pool") {
        status.textContent += " " + tn("match.budgetPool", res.budget.campaign_ids?.length ?? 0, { amount: formatMoney(res.budget.minor, res.budget.currency ?? "USD", locale) });
      }
      res.results.forEach((r) =>
        results.append(
          h(
            "li",
            null,
            h("a", { href: `/organize/parcels/${encodeURIComponent(r.parcel_id)}` }, r.address || r.parcel_id),
            " — ",
            t("match.score", { score: formatNumber(Math.round(r.score * 100), locale) }),
            h(
              "ul",
              null,
              strongestParts(r.parts).map((p) =>
                h(
                  "li",
                  null,
                  t(`match.part.${p.part}` as MessageKey),
                  ": ",
                  formatNumber(Math.round(p.score * 100), locale),
                  p.part === "distance" && p.value !== undefined ? ` (${t("match.median", { d: formatDistance(p.value, locale) })})` : "",
                  p.detail ? ` — ${p.detail}` : "",
                ),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      status.textContent = errText(err);
    }
  });
  return h("section", null, h("h2", null, t("org.tab.matching")), form, h("h3", null, t("match.results")), results);
}

async function campaignsTab(ctx: Ctx): Promise<HTMLElement> {
  const locale = getLocale();
  const list = h("tbody");
  const status = h("p", { role: "status" });
  async function load(): Promise<void> {
    clear(list);
    try {
      const page = await ctx.api.campaigns();
      page.items.forEach((c: Campaign) =>
        list.append(
          h(
            "tr",
            null,
            h("td", null, h("a", { href: `/organize/campaigns/${encodeURIComponent(c.id)}` }, c.title)),
            h("td", null, t(`campaignStatus.${c.status}` as MessageKey)),
            h("td", { class: "num" }, formatMoney(c.target, c.currency, locale)),
            h("td", { class: "num" }, formatPercent(fundedBasisPoints(c), locale)),
            h("td", null, formatDate(c.deadline, locale)),
          ),
        ),
      );
    } catch (e) {
      status.textContent = errText(e);
    }
  }
  const title = h("input", { id: uid(), required: true });
  const titleEs = h("input", { id: uid(), lang: "es" });
  const deadline = h("input", { id: uid(), type: "date", required: true });
  // Coming from a parcel's page, the campaign is for that parcel.
  const parcels = h("input", { id: uid(), value: ctx.search.get("parcel") ?? "" });
  const mode = h("select", { id: uid() }, h("option", { value: "keep_what_you_raise" }, t("campaignMode.keep_what_you_raise")), h("option", { value: "all_or_nothing" }, t("campaignMode.all_or_nothing")));
  const lines = (["land_price", "closing_costs", "infrastructure", "reserve"] as const).map((k) => [k, h("input", { id: uid(), inputmode: "decimal" })] as const);
  const form = h(
    "form",
    { class: "panel", novalidate: true },
    h("h3", null, t("org.newCampaign")),
    field(t("org.campaignTitle"), title),
    field(t("org.campaignTitleEs"), titleEs),
    field(t("campaign.deadline"), deadline),
    field(t("campaign.mode"), mode),
    field(t("org.campaignParcels"), parcels, t("match.householdsHint")),
    h("fieldset", null, h("legend", null, t("campaign.budget")), lines.map(([k, input]) => field(t(`budget.${k}` as MessageKey), input))),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("org.createCampaign"))),
  );
  // One id per campaign being created: a retry after a lost answer reuses it.
  let campaignId = crypto.randomUUID();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const budget = lines.map(([category, input]) => ({ category, amount: parseAmount(input.value || "0", "USD", locale) }));
    if (!title.value.trim() || !deadline.value || budget.some((b) => b.amount === null)) {
      status.textContent = t("form.fixErrors");
      return;
    }
    const filled = budget.filter((b) => b.amount! > 0n);
    // The target is the budget's exact sum: the server refuses any other.
    const target = filled.reduce((acc, b) => acc + b.amount!, 0n);
    const req: CampaignCreate = {
      id: campaignId,
      target: { amount_minor: Number(target), currency: "USD" },
      title: { en: title.value.trim(), es: titleEs.value.trim() },
      story: { en: "", es: "" },
      currency: "USD",
      // The deadline is the end of the chosen day where the organizer is.
      deadline: new Date(`${deadline.value}T23:59:59`).toISOString(),
      mode: mode.value as CampaignCreate["mode"],
      parcel_ids: parseIds(parcels.value),
      budget: filled.map((b) => ({ category: b.category, amount: { amount_minor: Number(b.amount), currency: "USD" } })),
    };
    try {
      const c = await ctx.api.createCampaign(req);
      status.textContent = t("org.campaignCreated", { title: c.title });
      form.reset();
      campaignId = crypto.randomUUID();
      await load();
    } catch (err) {
      status.textContent = errText(err);
    }
  });
  await load();
  return h(
    "section",
    null,
    h("h2", null, t("org.tab.campaigns")),
    dataTable(
      [{ label: t("org.campaignTitle") }, { label: t("org.status") }, { label: t("campaign.target"), num: true }, { label: t("org.funded"), num: true }, { label: t("campaign.deadline") }],
      list,
    ),
    status,
    form,
  );
}

async function membershipTab(ctx: Ctx): Promise<HTMLElement> {
  const status = h("p", { role: "status" });
  const list = h("div");
  const communities = await ctx.api.communities().catch(() => []);
  const sel = h("select", { id: uid() }, communities.map((c) => h("option", { value: c.id }, c.name)));
  async function load(): Promise<void> {
    clear(list);
    if (!sel.value) return;
    try {
      const [detail, ms] = await Promise.all([ctx.api.community(sel.value), ctx.api.memberships(sel.value)]);
      if (ms.length === 0) list.append(h("p", null, t("org.noApplications")));
      ms.forEach((m) => list.append(membershipCard(ctx, m, detail, status, load)));
    } catch (e) {
      status.textContent = errText(e);
    }
  }
  sel.addEventListener("change", () => void load());
  await load();
  return h(
    "section",
    null,
    h("h2", null, t("org.tab.membership")),
    communities.length ? field(t("org.community"), sel) : h("p", null, t("org.noCommunities")),
    status,
    list,
  );
}

function membershipCard(ctx: Ctx, m: MembershipWire, c: CommunityDetail, status: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const locale = getLocale();
  const v = membershipView(m, c);
  const run = (f: () => Promise<unknown>, done: MessageKey) => async () => {
    try {
      await f();
      status.textContent = t(done);
      await reload();
    } catch (e) {
      status.textContent = errText(e);
    }
  };
  const note = h("input", { id: uid() });
  const next = v.milestones.find((x) => x.key === v.next);
  return h(
    "div",
    { class: "panel" },
    h(
      "h3",
      null,
      m.householdId
        ? t("org.household", { id: m.householdId })
        : m.organisationName
          ? t("org.organisation", { name: m.organisationName, id: m.representativeId ?? m.appliedBy })
          : t("org.applicant", { id: m.appliedBy }),
    ),
    h("p", null, t("my.membershipStatus", { status: t(`memberStatus.${v.status}` as MessageKey), class: v.className }), " · ", t("org.appliedOn", { date: formatDate(m.appliedAt, locale) })),
    m.statement ? h("blockquote", null, m.statement) : null,
    v.status === "applied" && m.organisationName ? h("p", { class: "hint" }, t("org.confirmsRepresentation")) : null,
    v.status === "applied"
      ? h(
          "div",
          { class: "actions" },
          h("button", { type: "button", onclick: run(() => ctx.api.reviewMembership(m.communityId, m.id, true), "org.decided") }, t("org.accept")),
          h("button", { type: "button", class: "secondary", onclick: run(() => ctx.api.reviewMembership(m.communityId, m.id, false), "org.decided") }, t("org.decline")),
        )
      : null,
    h(
      "ol",
      { class: "list", "aria-label": t("my.milestones") },
      v.milestones.map((x) => h("li", null, h("strong", null, x.name), " — ", x.completedAt ? t("my.milestoneDone", { date: formatDate(x.completedAt, locale) }) : t("my.milestoneOpen"))),
    ),
    // Milestones are completed in order: only the next one is offered.
    next && v.status === "provisional"
      ? h(
          "div",
          null,
          field(t("org.evidence", { name: next.name }), note),
          h("button", { type: "button", onclick: run(() => ctx.api.completeMilestone(m.communityId, m.id, next.key, note.value.trim()), "org.verified") }, t("org.verifyNamed", { name: next.name })),
        )
      : null,
  );
}

/** parcelDetail renders GET /parcels/{id} with a status change form (PATCH /parcels/{id}). */
export async function parcelDetail(ctx: Ctx): Promise<HTMLElement> {
  const blocked = guard(ctx);
  if (blocked) return blocked;
  const locale = getLocale();
  const f = await ctx.api.parcel(ctx.params.id);
  const p = f.properties;
  const mapEl = h("div", { class: "map", style: "height:320px" });
  onAttached(mapEl, () => {
    const map = createMap(mapEl, { label: t("parcel.mapLabel") });
    const layer = L.geoJSON(f, { style: { color: statusColor[p.status], weight: 3, fillOpacity: 0.3 } }).addTo(map);
    map.fitBounds(layer.getBounds(), { maxZoom: 17 });
    ctx.onCleanup(() => map.remove());
  });
  const statusSel = h("select", { id: uid() }, PARCEL_STATUSES.map((s) => h("option", { value: s, selected: s === p.status }, t(`parcelStatus.${s}` as MessageKey))));
  const reason = h("input", { id: uid(), value: p.rejected_reason ?? "" });
  const notes = h("textarea", { id: uid() }, p.notes ?? "");
  const status = h("p", { role: "status" });
  const form = h(
    "form",
    { class: "panel", novalidate: true },
    field(t("org.status"), statusSel),
    field(t("parcel.rejectedReason"), reason, t("parcel.rejectedHint")),
    field(t("parcel.notes"), notes),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("common.save"))),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await ctx.api.updateParcel(p.id, { status: statusSel.value as ParcelStatus, rejected_reason: reason.value.trim() || undefined, notes: notes.value });
      status.textContent = t("my.saved");
    } catch (err) {
      status.textContent = errText(err);
    }
  });
  const rows: Array<[MessageKey, string]> = [
    ["parcel.apn", p.parcelnumb ?? "—"],
    ["parcel.address", p.address ?? "—"],
    ["parcel.owner", p.owner ? `${p.owner}${p.owner_type ? ` (${p.owner_type})` : ""}` : "—"],
    ["parcel.zoning", [p.land_use, p.zoning].filter(Boolean).join(" / ") || "—"],
    ["org.acres", p.computed_acres !== undefined ? formatNumber(Math.round(p.computed_acres * 100) / 100, locale) : "—"],
    ["org.price", p.asking_price !== undefined ? formatMoney(p.asking_price, p.currency ?? "USD", locale) : "—"],
    ["org.hazards", p.hazards?.length ? p.hazards.map((z) => `${t(`hazard.${z.kind}` as MessageKey)} ${formatPercent(Math.round(z.share * 10000), locale)}`).join(", ") : t("org.noHazard")],
  ];
  return h(
    "div",
    null,
    h("p", null, h("a", { href: "/organize" }, t("parcel.back"))),
    h("h1", null, p.address || p.parcelnumb || p.id),
    mapEl,
    h("dl", { class: "stats" }, rows.map(([k, v]) => h("div", null, h("dt", null, t(k)), h("dd", null, v)))),
    form,
    h("p", null, h("a", { href: `/organize?tab=campaigns&parcel=${encodeURIComponent(p.id)}` }, t("parcel.startCampaign"))),
  );
}

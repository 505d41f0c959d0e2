// Home: the public fund progress map with its side list.

import L from "leaflet";
import type { Ctx } from "../app";
import type { CampaignMapFeature, HazardCollection, HouseholdGrid } from "../api/types";
import { bboxParam } from "../api/client";
import { t, tn, getLocale, type MessageKey } from "../i18n/i18n";
import { campaignTitle, filterCampaigns, fundedBasisPoints, type CampaignFilter } from "../lib/campaigns";
import { h, clear, announce, onAttached, uid } from "../lib/dom";
import { formatDate, formatMoney, formatPercent } from "../lib/format";
import { featureCenter } from "../lib/geo";
import { createMap } from "../map/basemap";
import { takeCampaignMap } from "./home-data";
import { hazardColor, ringSvg } from "../map/ring";
import { groupNear, type Placed } from "../map/declutter";

const STATUSES = ["active", "all", "open", "funded", "purchasing", "completed", "failed"] as const;

/** RING_SPACING is how close (pixels) two rings' centres may be before they are drawn as one group. */
const RING_SPACING = 40;

/** FIRST is how many campaigns the list shows before "show all": enough to scroll, quick to draw. */
const FIRST = 50;


/** home renders the map of campaigns, the filterable list and the layer toggles. */
export async function home(ctx: Ctx): Promise<HTMLElement> {
  const locale = getLocale();
  const filter: CampaignFilter = { status: "active", text: "", sort: "progress" };
  const mapEl = h("div", { class: "map", id: "home-map" });
  const listEl = h("ul", { class: "list", id: "campaign-list" });
  const countEl = h("p", { class: "meta", role: "status" });

  const statusSel = h(
    "select",
    { id: uid() },
    STATUSES.map((s) => h("option", { value: s, selected: s === filter.status }, t(`campaignStatus.${s}` as MessageKey))),
  );
  const sortSel = h(
    "select",
    { id: uid() },
    (["progress", "deadline", "title"] as const).map((s) => h("option", { value: s }, t(`home.sort.${s}` as MessageKey))),
  );
  const search = h("input", { type: "search", id: uid(), autocomplete: "off" });
  const needToggle = h("input", { type: "checkbox", id: uid() });
  const hazardToggle = h("input", { type: "checkbox", id: uid() });
  const layerNote = h("p", { class: "meta", role: "status" });

  let showAll = false;
  const moreBtn = h("button", { type: "button", class: "secondary" });
  moreBtn.addEventListener("click", () => {
    showAll = true;
    drawList();
  });

  const page = h(
    "div",
    null,
    h("h1", null, t("home.heading")),
    h("p", null, t("home.intro")),
    h(
      "div",
      { class: "layout" },
      h(
        "section",
        { "aria-labelledby": "map-h" },
        h("h2", { id: "map-h", class: "visually-hidden" }, t("home.mapHeading")),
        h(
          "div",
          { class: "toggles", role: "group", "aria-label": t("home.layers") },
          h("label", { class: "check" }, needToggle, t("home.layer.need")),
          h("label", { class: "check" }, hazardToggle, t("home.layer.hazards")),
        ),
        layerNote,
        mapEl,
        h("p", { class: "hint" }, t("home.mapHint")),
      ),
      h(
        "section",
        { class: "panel", "aria-labelledby": "list-h" },
        h("h2", { id: "list-h" }, t("home.listHeading")),
        h("div", { class: "field" }, h("label", { for: search.id }, t("home.filter.search")), search),
        h("div", { class: "field" }, h("label", { for: statusSel.id }, t("home.filter.status")), statusSel),
        h("div", { class: "field" }, h("label", { for: sortSel.id }, t("home.filter.sort")), sortSel),
        countEl,
        listEl,
        moreBtn,
      ),
    ),
  );

  let campaigns: CampaignMapFeature[] = [];
  let map: L.Map | null = null;
  const campaignLayer = L.featureGroup();
  const needLayer = L.geoJSON(undefined, {
    style: (f) => ({ color: "#6b3fa0", weight: 1, fillColor: "#6b3fa0", fillOpacity: Math.min(0.65, 0.15 + ((f?.properties?.households ?? 0) as number) / 100) }),
    onEachFeature: (f, layer) => layer.bindTooltip(tn("home.need.households", (f.properties?.households ?? 0) as number)),
  });
  const hazardLayer = L.geoJSON(undefined, {
    style: (f) => ({ color: hazardColor[f?.properties?.kind] ?? "#6b7280", weight: 1, fillOpacity: 0.25, dashArray: "4 3" }),
    onEachFeature: (f, layer) => layer.bindTooltip(t(`hazard.${f.properties?.kind ?? "other"}` as MessageKey)),
  });

  function drawList(): void {
    const shown = filterCampaigns(campaigns, filter, locale);
    clear(listEl);
    countEl.textContent = tn("home.count", shown.length);
    const listed = showAll ? shown : shown.slice(0, FIRST);
    moreBtn.hidden = listed.length === shown.length;
    moreBtn.textContent = t("home.showAll", { count: shown.length });
    for (const c of listed) {
      const p = c.properties;
      const bp = fundedBasisPoints(p);
      listEl.append(
        h(
          "li",
          null,
          h("a", { href: `/campaigns/${encodeURIComponent(p.id)}`, class: "campaign-link" }, campaignTitle(p, locale)),
          h("div", { class: "progress", "aria-hidden": "true" }, h("span", { style: `width:${Math.min(100, bp / 100)}%` })),
          h(
            "p",
            { class: "meta" },
            t("home.raised", {
              received: formatMoney(p.received, p.currency, locale),
              target: formatMoney(p.target, p.currency, locale),
              percent: formatPercent(bp, locale),
            }),
            " · ",
            t(`campaignStatus.${p.status}` as MessageKey),
            " · ",
            t("home.deadline", { date: formatDate(p.deadline, locale) }),
          ),
        ),
      );
    }
    drawMap(shown);
  }

  let pending = 0;
  /**
   * drawMap puts every shown campaign on the map, after the list has been
   * painted: hundreds of rings take longer to draw than the list, and the
   * list is what a person reads first.
   */
  function drawMap(shown: CampaignMapFeature[]): void {
    if (!map) return;
    const seq = ++pending;
    requestAnimationFrame(() => setTimeout(() => seq === pending && drawMapNow(shown), 0));
  }

  let lastShown: CampaignMapFeature[] = [];
  function drawMapNow(shown: CampaignMapFeature[]): void {
    if (!map) return;
    lastShown = shown;
    campaignLayer.clearLayers();
    // Parcels in one layer; a campaign whose parcel has no geometry yet is in the list only.
    L.geoJSON(
      { type: "FeatureCollection", features: shown.filter((c) => c.geometry && c.geometry.type !== "Point") } as GeoJSON.FeatureCollection,
      {
        style: { color: "#0b4f6c", weight: 2, fillColor: "#0b6e4f", fillOpacity: 0.15 },
        onEachFeature: (f, layer) => layer.on("click", () => ctx.go(`/campaigns/${encodeURIComponent(String(f.properties?.id))}`)),
      },
    ).addTo(campaignLayer);
    // Rings that would overlap at this zoom are one numbered marker, which
    // zooms in when chosen; at the closest zoom every ring stands alone.
    const m = map;
    const placed: Placed<{ c: CampaignMapFeature; at: L.LatLng }>[] = [];
    for (const c of shown) {
      const centre = featureCenter(c.geometry);
      if (!centre) continue;
      const at = L.latLng(centre.lat, centre.lon);
      const pt = m.latLngToLayerPoint(at);
      placed.push({ item: { c, at }, x: pt.x, y: pt.y });
    }
    const groups = m.getZoom() >= m.getMaxZoom() ? placed.map((p) => [p]) : groupNear(placed, RING_SPACING);
    for (const g of groups) {
      if (g.length === 1) {
        ringMarker(g[0].item.c, g[0].item.at).addTo(campaignLayer);
        continue;
      }
      const bounds = L.latLngBounds(g.map((p) => p.item.at));
      const zoomIn = () => m.fitBounds(bounds, { padding: [40, 40], maxZoom: m.getMaxZoom() });
      L.marker(g[0].item.at, {
        icon: L.divIcon({ className: "ring-group", html: `<span>${g.length}</span>`, iconSize: [44, 44] }),
        title: tn("home.group", g.length),
        alt: tn("home.group", g.length),
        keyboard: true,
      })
        .on("click", zoomIn)
        .on("keypress", (e: L.LeafletKeyboardEvent) => {
          if (e.originalEvent.key === "Enter") zoomIn();
        })
        .addTo(campaignLayer);
    }
  }

  function ringMarker(c: CampaignMapFeature, at: L.LatLng): L.Marker {
    const p = c.properties;
    const title = campaignTitle(p, locale);
    const bp = fundedBasisPoints(p);
    return L.marker(at, {
      icon: L.divIcon({ className: "ring-icon", html: ringSvg(bp, formatPercent(bp, locale)), iconSize: [44, 44] }),
      title: `${title}: ${formatPercent(bp, locale)}`,
      alt: title,
      keyboard: true,
    })
      .on("click", () => ctx.go(`/campaigns/${encodeURIComponent(p.id)}`))
      .on("keypress", (e: L.LeafletKeyboardEvent) => {
        if (e.originalEvent.key === "Enter") ctx.go(`/campaigns/${encodeURIComponent(p.id)}`);
      });
  }

  statusSel.addEventListener("change", () => {
    filter.status = statusSel.value as CampaignFilter["status"];
    drawList();
  });
  sortSel.addEventListener("change", () => {
    filter.sort = sortSel.value as CampaignFilter["sort"];
    drawList();
  });
  search.addEventListener("input", () => {
    filter.text = search.value;
    drawList();
  });

  function viewBbox(): string {
    const b = map!.getBounds();
    return bboxParam(b.getWest(), b.getSouth(), b.getEast(), b.getNorth());
  }

  async function loadNeed(): Promise<void> {
    if (!map || !needToggle.checked) return;
    try {
      const grid: HouseholdGrid = await ctx.api.householdGrid({ zoom: map.getZoom(), bbox: viewBbox() });
      needLayer.clearLayers();
      needLayer.addData(grid);
      layerNote.textContent = t("home.need.note");
    } catch {
      layerNote.textContent = t("home.layer.failed");
    }
  }

  async function loadHazards(): Promise<void> {
    if (!map || !hazardToggle.checked) return;
    try {
      const hz: HazardCollection = await ctx.api.hazards({ bbox: viewBbox() });
      hazardLayer.clearLayers();
      hazardLayer.addData(hz);
    } catch {
      layerNote.textContent = t("home.layer.failed");
    }
  }

  needToggle.addEventListener("change", () => {
    if (!map) return;
    if (needToggle.checked) {
      needLayer.addTo(map);
      void loadNeed();
    } else {
      needLayer.remove();
      layerNote.textContent = "";
    }
  });
  hazardToggle.addEventListener("change", () => {
    if (!map) return;
    if (hazardToggle.checked) {
      hazardLayer.addTo(map);
      void loadHazards();
    } else hazardLayer.remove();
  });

  // The map needs its element in the document to measure itself. It is
  // built once the list has been painted: the basemap's outlines and
  // hundreds of rings take longer to draw than the list people read first.
  onAttached(mapEl, () => requestAnimationFrame(() => setTimeout(initMap, 0)));
  function initMap(): void {
    if (!mapEl.isConnected) return;
    map = createMap(mapEl, { label: t("home.mapLabel") });
    campaignLayer.addTo(map);
    map.on("moveend", () => {
      void loadNeed();
      void loadHazards();
    });
    map.on("zoomend", () => drawMap(lastShown));
    ctx.onCleanup(() => map?.remove());
    drawMapNow(filterCampaigns(campaigns, filter, locale));
    fitCampaigns();
  }

  function fitCampaigns(): void {
    if (!map || campaigns.length === 0) return;
    const b = campaignLayer.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [30, 30], maxZoom: 12 });
  }

  try {
    const fc = await takeCampaignMap(ctx.api);
    campaigns = fc.features;
    drawList();
    fitCampaigns();
    announce(countEl.textContent ?? "");
  } catch {
    countEl.textContent = t("home.loadFailed");
  }
  return page;
}

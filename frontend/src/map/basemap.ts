// The basemap works with no network: state and county outlines from the
// us-atlas package are bundled as hashed JSON assets and drawn as vector
// layers. When the server configures a tile URL, a raster layer with its
// attribution goes on top of them.

import L from "leaflet";
import { feature, mesh } from "topojson-client";
import type { Topology, GeometryCollection } from "topojson-specification";
import statesUrl from "us-atlas/states-10m.json?url";
import countiesUrl from "us-atlas/counties-10m.json?url";
import iconUrl from "leaflet/dist/images/marker-icon.png";
import iconRetinaUrl from "leaflet/dist/images/marker-icon-2x.png";
import shadowUrl from "leaflet/dist/images/marker-shadow.png";
import { readConfig, validTileUrl } from "./config";
import { t } from "../i18n/i18n";

// Leaflet finds its marker images through a CSS path guess that a bundler
// breaks; give it the bundled, hashed files instead.
delete (L.Icon.Default.prototype as unknown as { _getIconUrl?: unknown })._getIconUrl;
L.Icon.Default.mergeOptions({ iconUrl, iconRetinaUrl, shadowUrl });

/** JACKSON_COUNTY is where the map opens when there is nothing else to show (Phoenix and Talent, Oregon). */
export const JACKSON_COUNTY: L.LatLngExpression = [42.26, -122.8];

/** COUNTY_ZOOM is the zoom from which county lines are loaded and drawn. */
export const COUNTY_ZOOM = 6;

const topologies = new Map<string, Promise<Topology>>();
function loadTopology(url: string): Promise<Topology> {
  let p = topologies.get(url);
  if (!p) {
    p = fetch(url).then((r) => {
      if (!r.ok) throw new Error(`basemap ${r.status}`);
      return r.json() as Promise<Topology>;
    });
    topologies.set(url, p);
  }
  return p;
}

/** outlines turns a us-atlas topology object into a GeoJSON mesh of its borders (each shared edge once). */
export function outlines(topo: Topology, object: string): GeoJSON.MultiLineString {
  return mesh(topo, topo.objects[object] as GeometryCollection);
}

/** areas turns a us-atlas topology object into features (states or counties with their names). */
export function areas(topo: Topology, object: string): GeoJSON.FeatureCollection {
  return feature(topo, topo.objects[object] as GeometryCollection) as GeoJSON.FeatureCollection;
}

/** createMap makes a Leaflet map with the offline basemap and, if configured, tiles. */
export function createMap(el: HTMLElement, opts: { label: string; center?: L.LatLngExpression; zoom?: number }): L.Map {
  el.setAttribute("role", "region");
  el.setAttribute("aria-label", opts.label);
  const map = L.map(el, {
    center: opts.center ?? JACKSON_COUNTY,
    zoom: opts.zoom ?? 9,
    minZoom: 3,
    maxZoom: 18,
    zoomControl: false,
    attributionControl: true,
    preferCanvas: false,
    // Zoom without the CSS transition: a screen can be left (and its map
    // removed) mid-animation, and Leaflet then reads panes that are gone.
    // It also spares slow phones and people who prefer less motion.
    zoomAnimation: false,
    markerZoomAnimation: false,
  });
  map.attributionControl.setPrefix("");
  L.control.zoom({ zoomInTitle: t("map.zoomIn"), zoomOutTitle: t("map.zoomOut") }).addTo(map);

  const land = L.geoJSON(undefined, { style: { color: "#8aa0b4", weight: 0, fillColor: "#eef2ea", fillOpacity: 1 }, interactive: false });
  const stateLines = L.geoJSON(undefined, { style: { color: "#51606e", weight: 1.4, opacity: 0.9, fill: false }, interactive: false });
  const countyLines = L.geoJSON(undefined, { style: { color: "#6f8193", weight: 1, opacity: 0.9, dashArray: "4 3", fill: false }, interactive: false });
  const cfg = readConfig(document);
  const tiles = cfg.tileUrl && validTileUrl(cfg.tileUrl);
  // Raster tiles sit in the tile pane, under the vector panes: the opaque
  // land fill is drawn only when there are no tiles to cover.
  if (!tiles) land.addTo(map);
  countyLines.addTo(map);
  stateLines.addTo(map);
  el.classList.add("map-water");

  loadTopology(statesUrl)
    .then((topo) => {
      land.addData(areas(topo, "nation"));
      stateLines.addData(outlines(topo, "states"));
    })
    .catch(() => el.classList.add("basemap-failed"));

  let countiesLoaded = false;
  const maybeCounties = () => {
    if (countiesLoaded || map.getZoom() < COUNTY_ZOOM) return;
    countiesLoaded = true;
    loadTopology(countiesUrl)
      .then((topo) => countyLines.addData(outlines(topo, "counties")))
      .catch(() => (countiesLoaded = false));
  };
  map.on("zoomend", maybeCounties);
  maybeCounties();

  if (tiles) L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 19 }).addTo(map);
  return map;
}

// Small geometry helpers for placing markers; coordinates are [lon, lat] as in GeoJSON.

import type { Geometry, Position } from "geojson";

function ringCentroid(ring: Position[]): { lon: number; lat: number; area: number } {
  // Planar centroid of a ring; good enough for placing a marker on a parcel.
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j];
    const [x1, y1] = ring[i];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (a === 0) {
    const n = ring.length || 1;
    return { lon: ring.reduce((s, p) => s + p[0], 0) / n, lat: ring.reduce((s, p) => s + p[1], 0) / n, area: 0 };
  }
  return { lon: cx / (3 * a), lat: cy / (3 * a), area: Math.abs(a / 2) };
}

/** featureCenter returns where to put a marker for a geometry: a point itself, or the centroid of the largest polygon. */
export function featureCenter(g: Geometry | null | undefined): { lon: number; lat: number } | null {
  if (!g) return null;
  switch (g.type) {
    case "Point":
      return { lon: g.coordinates[0], lat: g.coordinates[1] };
    case "Polygon": {
      if (!g.coordinates.length || !g.coordinates[0].length) return null;
      const c = ringCentroid(g.coordinates[0]);
      return { lon: c.lon, lat: c.lat };
    }
    case "MultiPolygon": {
      let best: { lon: number; lat: number; area: number } | null = null;
      for (const poly of g.coordinates) {
        if (!poly.length || !poly[0].length) continue;
        const c = ringCentroid(poly[0]);
        if (!best || c.area > best.area) best = c;
      }
      return best ? { lon: best.lon, lat: best.lat } : null;
    }
    default:
      return null;
  }
}

/** validLonLat reports whether a position is a finite longitude/latitude pair in range. */
export function validLonLat(lon: number, lat: number): boolean {
  return Number.isFinite(lon) && Number.isFinite(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
}

/** roundCoord rounds to 6 decimals (about 10 cm), as the API stores coordinates. */
export function roundCoord(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

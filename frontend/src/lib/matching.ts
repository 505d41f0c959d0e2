// The matching tool's weights and how each part of a score is explained.

import type { MatchReason, MatchWeights } from "../api/types";

/** WEIGHT_PARTS are the parts of a match score, in the order the sliders show them. */
export const WEIGHT_PARTS: Array<keyof MatchWeights> = ["distance", "capacity", "affordability", "hazard", "points"];

/** DEFAULT_WEIGHTS are where the sliders start (0..100 each). */
export const DEFAULT_WEIGHTS: MatchWeights = { distance: 40, capacity: 25, affordability: 20, hazard: 15, points: 0 };

/**
 * normalizeWeights scales slider values (0..100) so that they sum to 1 for the
 * request; all zero falls back to equal weights, since a ranking with no
 * criterion would be arbitrary.
 */
export function normalizeWeights(w: MatchWeights): MatchWeights {
  const clamp = (v: number) => (Number.isFinite(v) ? Math.min(100, Math.max(0, Math.round(v))) : 0);
  const c = Object.fromEntries(WEIGHT_PARTS.map((k) => [k, clamp(w[k])])) as unknown as MatchWeights;
  const total = WEIGHT_PARTS.reduce((s, k) => s + c[k], 0);
  if (total === 0) return Object.fromEntries(WEIGHT_PARTS.map((k) => [k, 1 / WEIGHT_PARTS.length])) as unknown as MatchWeights;
  return Object.fromEntries(WEIGHT_PARTS.map((k) => [k, c[k] / total])) as unknown as MatchWeights;
}

/** parseIds reads household ids typed or pasted one per line or separated by commas, without duplicates. */
export function parseIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
}

/** strongestParts returns a result's parts ordered by their contribution, strongest first. */
export function strongestParts(parts: MatchReason[]): MatchReason[] {
  return [...parts].sort((a, b) => b.score - a.score || a.part.localeCompare(b.part));
}

/** PlacePoint is a place the group cares about (a school, work, a clinic). */
export interface PlacePoint {
  lon: number;
  lat: number;
  label?: string;
}

/**
 * parsePoints reads places typed one per line as "lat, lon, label" (the order
 * a phone's map app copies); it returns the points and the 1-based numbers of
 * lines it could not read.
 */
export function parsePoints(text: string): { points: PlacePoint[]; bad: number[] } {
  const points: PlacePoint[] = [];
  const bad: number[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*(?:[,;]\s*(.*))?$/.exec(line);
    const lat = m ? Number(m[1]) : NaN;
    const lon = m ? Number(m[2]) : NaN;
    if (!m || !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
      bad.push(i + 1);
      return;
    }
    const label = m[3]?.trim();
    points.push(label ? { lon, lat, label } : { lon, lat });
  });
  return { points, bad };
}

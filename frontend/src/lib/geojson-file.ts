// A first look at a GeoJSON file dropped on the import area, before it is
// sent: the server does the real per-feature checks, but a person should hear
// at once that they dropped a spreadsheet or a truncated file.

/** MAX_IMPORT_BYTES matches the server's 100 MB import limit. */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;

/** PARSE_LIMIT is how much the page parses itself; bigger files are only streamed to the server. */
export const PARSE_LIMIT = 20 * 1024 * 1024;

/** Precheck is the outcome of looking at a file: ok with a feature count (null when too big to count here), or a reason. */
export type Precheck = { ok: true; features: number | null } | { ok: false; reason: "too_large" | "not_json" | "not_collection" | "empty" };

/** precheckGeoJSON inspects a file's text (or only its size when it is large). */
export function precheckGeoJSON(size: number, text: string | null): Precheck {
  if (size > MAX_IMPORT_BYTES) return { ok: false, reason: "too_large" };
  if (size === 0) return { ok: false, reason: "empty" };
  if (text === null) return { ok: true, features: null };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not_json" };
  }
  if (!doc || typeof doc !== "object") return { ok: false, reason: "not_collection" };
  const d = doc as { type?: unknown; features?: unknown };
  if (d.type !== "FeatureCollection" || !Array.isArray(d.features)) return { ok: false, reason: "not_collection" };
  if (d.features.length === 0) return { ok: false, reason: "empty" };
  return { ok: true, features: d.features.length };
}

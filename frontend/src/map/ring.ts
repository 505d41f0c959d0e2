// The progress ring drawn on each campaign's parcel: an SVG circle whose
// stroke covers the funded share.

/**
 * ringSvg returns the SVG markup of a ring for basis points funded: the ring
 * fills up to 100 %, the label (the page's formatted percent) may say more.
 */
export function ringSvg(basisPoints: number, label: string, size = 44): string {
  const bp = Math.max(0, Math.min(10000, Math.floor(basisPoints)));
  const stroke = 6;
  const r = (size - stroke) / 2;
  const c = 2 * Math.PI * r;
  const filled = (c * bp) / 10000;
  const centre = size / 2;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" aria-hidden="true">` +
    `<circle cx="${centre}" cy="${centre}" r="${r}" fill="#fff" stroke="#c9d3dc" stroke-width="${stroke}"/>` +
    `<circle cx="${centre}" cy="${centre}" r="${r}" fill="none" stroke="#0b6e4f" stroke-width="${stroke}" ` +
    `stroke-dasharray="${filled.toFixed(2)} ${(c - filled).toFixed(2)}" transform="rotate(-90 ${centre} ${centre})"/>` +
    `<text x="50%" y="50%" dominant-baseline="central" text-anchor="middle" font-size="12" font-weight="700" fill="#10222e">${escapeXml(label)}</text>` +
    `</svg>`
  );
}

/** statusColor gives each parcel status a colour distinguishable on the map and in print. */
export const statusColor: Record<string, string> = {
  identified: "#5b6b7a",
  evaluating: "#1f5fa8",
  negotiating: "#8a5a00",
  under_contract: "#6b3fa0",
  acquired: "#0b6e4f",
  rejected: "#b3261e",
};

/** hazardColor gives each hazard kind its fill. */
export const hazardColor: Record<string, string> = {
  wildfire: "#c2410c",
  flood: "#1d4ed8",
  landslide: "#78350f",
  other: "#6b7280",
};

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

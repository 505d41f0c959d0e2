// Page configuration the server writes into index.html as meta tags (see
// frontend.Handler in Go): no extra request before the map can draw.

/** PageConfig is what the server tells the page about its deployment. */
export interface PageConfig {
  tileUrl: string;
  tileAttribution: string;
}

/** readConfig reads the commonground-* meta tags of a document. */
export function readConfig(doc: Document): PageConfig {
  const meta = (name: string) => doc.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content.trim() ?? "";
  return {
    tileUrl: meta("commonground-tile-url"),
    tileAttribution: meta("commonground-tile-attribution"),
  };
}

/** validTileUrl accepts only http(s) or root-relative templates with {z}/{x}/{y}. */
export function validTileUrl(url: string): boolean {
  if (!/^(https?:\/\/|\/)/.test(url)) return false;
  return url.includes("{z}") && url.includes("{x}") && url.includes("{y}");
}

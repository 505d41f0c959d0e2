// Client-side routing with the history API. Routes are patterns such as
// "/campaigns/:id"; the server answers index.html for every app path.

/** Params are the named parts of a matched path. */
export type RouteParams = Record<string, string>;

/** Route maps a path pattern to a screen renderer. */
export interface Route<T> {
  pattern: string;
  handler: T;
}

/** matchPath matches a pattern against a path and returns its params, or null. */
export function matchPath(pattern: string, path: string): RouteParams | null {
  const pp = pattern.split("/").filter(Boolean);
  const parts = path.replace(/\/+$/, "").split("/").filter(Boolean);
  if (pp.length !== parts.length) return null;
  const params: RouteParams = {};
  for (let i = 0; i < pp.length; i++) {
    if (pp[i].startsWith(":")) {
      try {
        params[pp[i].slice(1)] = decodeURIComponent(parts[i]);
      } catch {
        return null;
      }
    } else if (pp[i] !== parts[i]) {
      return null;
    }
  }
  return params;
}

/** resolve finds the first route matching a path. */
export function resolve<T>(routes: Route<T>[], path: string): { route: Route<T>; params: RouteParams } | null {
  for (const route of routes) {
    const params = matchPath(route.pattern, path);
    if (params) return { route, params };
  }
  return null;
}

/** Router listens to navigation and calls render for each change of path. */
export class Router {
  constructor(private readonly render: (path: string, search: URLSearchParams) => void) {}

  /** start renders the current path and intercepts same-origin link clicks. */
  start(): void {
    window.addEventListener("popstate", () => this.render(location.pathname, new URLSearchParams(location.search)));
    document.addEventListener("click", (e) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.("a");
      if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
      if (a.pathname.startsWith("/api/")) return;
      e.preventDefault();
      this.go(a.pathname + a.search);
    });
    this.render(location.pathname, new URLSearchParams(location.search));
  }

  /** go navigates to an app path. */
  go(path: string, replace = false): void {
    if (replace) history.replaceState(null, "", path);
    else history.pushState(null, "", path);
    const u = new URL(path, location.origin);
    this.render(u.pathname, u.searchParams);
  }
}

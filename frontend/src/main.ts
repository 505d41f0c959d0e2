import "leaflet/dist/leaflet.css";
import "./styles.css";
import { Api } from "./api/client";
import type { Account } from "./api/types";
import type { Ctx, Screen, Session } from "./app";
import { hasRole } from "./app";
import { getLocale, locales, onLocaleChange, resolveLocale, setLocale, storedLocale, t, toLocale, type MessageKey } from "./i18n/i18n";
import { clear, h } from "./lib/dom";
import { resolve, Router, type Route } from "./lib/router";
import { preloadCampaignMap } from "./screens/home-data";

// Screens load on demand, so the public map page carries neither the
// organizer console nor marker clustering.
type Loader = () => Promise<Screen>;
const routes: Route<{ load: Loader; title: MessageKey; preload?: () => void }>[] = [
  { pattern: "/", handler: { title: "nav.map", load: () => import("./screens/home").then((m) => m.home), preload: () => preloadCampaignMap(api) } },
  { pattern: "/campaigns/:id", handler: { title: "campaign.title", load: () => import("./screens/campaign").then((m) => m.campaignPage) } },
  { pattern: "/register", handler: { title: "nav.registerHousehold", load: () => import("./screens/household-register").then((m) => m.registerHousehold) } },
  { pattern: "/communities", handler: { title: "nav.communities", load: () => import("./screens/communities").then((m) => m.communities) } },
  { pattern: "/me/household", handler: { title: "nav.myHousehold", load: () => import("./screens/my-household").then((m) => m.myHousehold) } },
  { pattern: "/organize", handler: { title: "nav.organizer", load: () => import("./screens/organizer").then((m) => m.organizer) } },
  { pattern: "/organize/campaigns/:id", handler: { title: "campaign.title", load: () => import("./screens/organizer-campaign").then((m) => m.campaignAdmin) } },
  { pattern: "/organize/parcels/:id", handler: { title: "parcel.title", load: () => import("./screens/organizer").then((m) => m.parcelDetail) } },
  { pattern: "/sign-in", handler: { title: "auth.signIn", load: () => import("./screens/auth").then((m) => m.signIn) } },
  { pattern: "/sign-up", handler: { title: "auth.signUp", load: () => import("./screens/auth").then((m) => m.signUp) } },
];

const api = new Api();
const session: Session = { account: null };
const root = document.getElementById("app")!;
let cleanups: Array<() => void> = [];
let current = { path: location.pathname, search: new URLSearchParams(location.search) };
let renderSeq = 0;

function navLink(path: string, key: MessageKey): HTMLElement {
  const active = current.path === path || (path !== "/" && current.path.startsWith(path));
  return h("li", null, h("a", { href: path, "aria-current": active ? "page" : undefined }, t(key)));
}

function languageSwitch(): HTMLElement {
  const select = h(
    "select",
    {
      id: "lang",
      onchange: (e: Event) => {
        const l = toLocale((e.target as HTMLSelectElement).value);
        if (!l) return;
        setLocale(l);
        // The account remembers it too, so the choice follows the person.
        if (session.account && session.account.locale !== l) {
          session.account.locale = l;
          api.updateMe({ locale: l }).catch(() => {});
        }
      },
    },
    locales.map((l) => h("option", { value: l.code, selected: l.code === getLocale(), lang: l.code }, l.name)),
  );
  return h("div", { class: "lang" }, h("label", { for: "lang" }, t("nav.language")), select);
}

function header(): HTMLElement {
  const acct = session.account;
  return h(
    "header",
    { class: "site-header" },
    h("a", { class: "skip", href: "#main" }, t("nav.skip")),
    h("a", { class: "brand", href: "/" }, t("app.name")),
    h(
      "nav",
      { "aria-label": t("nav.label") },
      h(
        "ul",
        null,
        navLink("/", "nav.map"),
        navLink("/register", "nav.registerHousehold"),
        navLink("/communities", "nav.communities"),
        acct ? navLink("/me/household", "nav.myHousehold") : null,
        hasRole(session, "organizer", "steward") ? navLink("/organize", "nav.organizer") : null,
        acct
          ? h("li", null, h("button", { type: "button", class: "link", onclick: signOut }, t("auth.signOut")))
          : navLink("/sign-in", "auth.signIn"),
      ),
    ),
    languageSwitch(),
  );
}

async function signOut(): Promise<void> {
  await api.logout().catch(() => {});
  setSession(null);
  router.go("/");
}

function setSession(account: Account | null): void {
  session.account = account;
  if (account) {
    const l = toLocale(account.locale);
    if (l && l !== getLocale()) {
      setLocale(l, false);
      return; // the locale listener redraws
    }
  }
  render(current.path, current.search);
}

async function render(path: string, search: URLSearchParams): Promise<void> {
  const seq = ++renderSeq;
  current = { path, search };
  cleanups.forEach((f) => f());
  cleanups = [];
  const match = resolve(routes, path);
  const main = h("main", { id: "main", tabindex: "-1" });
  clear(root);
  root.append(header(), main, h("div", { id: "live", class: "visually-hidden", "aria-live": "polite" }), footer());
  if (!match) {
    document.title = `${t("error.notFound")} · ${t("app.name")}`;
    main.append(h("h1", null, t("error.notFound")), h("p", null, h("a", { href: "/" }, t("nav.map"))));
    return;
  }
  document.title = `${t(match.route.handler.title)} · ${t("app.name")}`;
  main.append(h("p", { class: "loading", role: "status" }, t("common.loading")));
  const ctx: Ctx = {
    api,
    session,
    params: match.params,
    search,
    go: (p) => router.go(p),
    onCleanup: (f) => cleanups.push(f),
    signedIn: setSession,
  };
  try {
    const screen = await match.route.handler.load();
    const el = await screen(ctx);
    if (seq !== renderSeq) return; // a newer navigation won
    clear(main);
    main.append(el);
  } catch (e) {
    if (seq !== renderSeq) return;
    clear(main);
    main.append(h("h1", null, t("error.title")), h("p", { role: "alert" }, e instanceof Error ? e.message : String(e)));
  }
  window.dispatchEvent(new CustomEvent("cg:rendered", { detail: path }));
}

function footer(): HTMLElement {
  return h("footer", { class: "site-footer" }, h("p", null, t("app.footer")));
}

let firstRender = true;
const router = new Router((path, search) => {
  const first = firstRender;
  firstRender = false;
  void render(path, search).then(() => {
    // After a navigation, move focus to the new content so keyboard and
    // screen reader users hear the page change; on first load leave it at
    // the top, where the skip link is.
    if (!first && (document.activeElement === document.body || document.activeElement?.closest("header"))) {
      document.getElementById("main")?.focus({ preventScroll: true });
    }
  });
});

api.onSession = (a) => {
  if (session.account && !a) setSession(null);
};

async function boot(): Promise<void> {
  setLocale(resolveLocale(null, storedLocale(), navigator.languages ?? [navigator.language]), false);
  // Fetch the first screen's code while the session is being restored.
  const first = resolve(routes, location.pathname)?.route.handler;
  void first?.load().catch(() => {});
  // A public screen's data, too (the fund map's campaigns).
  first?.preload?.();
  // The refresh cookie, if any, gives a new access token without a sign-in.
  if (await api.refresh()) {
    try {
      session.account = await api.me();
      const l = toLocale(session.account.locale);
      if (l) setLocale(l, false);
    } catch {
      session.account = null;
    }
  }
  onLocaleChange(() => render(current.path, current.search));
  router.start();
}

void boot();

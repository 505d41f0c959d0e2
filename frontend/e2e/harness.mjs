// Browser test harness: Debian's Chromium driven by playwright-core, axe-core
// checks, screenshots into test-output/e2e at the repository root.
//
// Every test talks to a real Common Ground server: E2E_BASE_URL when given,
// otherwise the harness builds the Go binary from the repository root (it
// embeds the built app, so run `npm run build` first) and runs it with
// --addr 127.0.0.1:PORT --data-dir on a fresh temporary directory, so every
// test file starts with an empty embedded store and a bootstrap steward.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { after, afterEach, before } from "node:test";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const openapi = JSON.parse(readFileSync(join(here, "..", "..", "server", "openapi.json"), "utf8"));

/** example is the accepted example body the API document gives for a route. */
export function example(method, path) {
  const c = openapi.paths["/api/v1" + path][method].requestBody.content;
  const media = c["application/json"] ?? Object.values(c)[0];
  return structuredClone(media.example ?? Object.values(media.examples)[0].value);
}

/** OUT is where screenshots go (git-ignored /test-output/ at the repository root). */
export const OUT = process.env.E2E_OUTPUT ?? join(here, "..", "..", "test-output", "e2e");
mkdirSync(OUT, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitFor(url, ms) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** launch starts Chromium with a fresh profile and returns its context. */
export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), "cg-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
    // The server sends a strict Content-Security-Policy; axe-core is injected
    // by the test, so the browser lets test scripts past it.
    bypassCSP: true,
    viewport: { width: 1280, height: 860 },
    locale: "en-US",
    timezoneId: "America/Los_Angeles",
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** axe runs axe-core on the page and returns the serious and critical WCAG 2.1 A/AA violations. */
export async function axe(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** shot saves a full-page screenshot named after the test. */
export async function shot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

/** settle waits for the app to finish rendering its screen and the network to go quiet. */
export async function settle(page) {
  await page.waitForSelector("main#main:not(:has(p.loading))", { timeout: 15_000 });
  await page.waitForLoadState("networkidle", { timeout: 15_000 }).catch(() => {});
}

/**
 * startStack runs the server the tests talk to: E2E_BASE_URL, or the Go
 * binary on a fresh data directory. seed (campaigns, households) fills the
 * directory first through bench/webseed, for the budget measurements.
 */
export async function startStack({ seed } = {}) {
  if (process.env.E2E_BASE_URL) {
    const baseURL = process.env.E2E_BASE_URL.replace(/\/$/, "");
    return { baseURL, stop: async () => {} };
  }
  return startGoServer(seed);
}

/** ADMIN is the steward the Go server creates on its first start (COMMONGROUND_BOOTSTRAP_ADMIN_*). */
export const ADMIN = { email: "steward@example.org", password: "rogue valley steward 2020" };

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const b = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
    b.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}`))));
  });
}

/** startGoServer builds and runs the Common Ground binary with a fresh data directory. */
async function startGoServer(seed) {
  const repo = join(here, "..", "..");
  const dir = mkdtempSync(join(tmpdir(), "cg-e2e-"));
  const bin = join(dir, "commonground");
  await run("go", ["build", "-o", bin, "."], { cwd: repo });
  if (seed) {
    const seeder = join(dir, "webseed");
    await run("go", ["build", "-o", seeder, "./bench/webseed"], { cwd: repo });
    await run(seeder, ["-data-dir", join(dir, "data"), "-campaigns", String(seed.campaigns), "-households", String(seed.households)], { cwd: dir });
  }
  const port = await freePort();
  const child = spawn(bin, ["--addr", `127.0.0.1:${port}`, "--data-dir", join(dir, "data"), "--log-level", "warn"], {
    cwd: dir,
    env: { ...process.env, COMMONGROUND_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, COMMONGROUND_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const baseURL = `http://127.0.0.1:${port}`;
  try {
    await waitFor(baseURL + "/readyz", 60_000);
  } catch (e) {
    child.kill("SIGTERM");
    throw e;
  }
  return {
    baseURL,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** api calls the server's API directly (setting up what a test needs, never what it checks). */
export async function api(baseURL, method, path, { body, token, headers = {} } = {}) {
  const res = await fetch(baseURL + "/api/v1" + path, {
    method,
    headers: { Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return json;
}

let accounts = 0;

/**
 * account registers a new account through the API and, when roles are
 * given, has the bootstrap steward set them (PUT /users/{id}/roles). It
 * returns the credentials and a token for API set-up calls.
 */
export async function account(baseURL, { name = "Test Person", locale = "en", roles } = {}) {
  const email = `person${++accounts}.${process.pid}.${Date.now()}@example.org`;
  const password = "rogue valley rebuild together";
  const reg = await api(baseURL, "POST", "/auth/register", { body: { email, password, display_name: name, locale, refresh_in: "body" } });
  if (roles) {
    const steward = await api(baseURL, "POST", "/auth/login", { body: { email: ADMIN.email, password: ADMIN.password, refresh_in: "body" } });
    await api(baseURL, "PUT", `/users/${reg.account.id}/roles`, { token: steward.access_token, body: { roles } });
    // Roles travel in the access token: sign in again to carry the new ones.
    const again = await api(baseURL, "POST", "/auth/login", { body: { email, password, refresh_in: "body" } });
    return { email, password, id: reg.account.id, token: again.access_token };
  }
  return { email, password, id: reg.account.id, token: reg.access_token };
}

/** signIn signs in through the app's form and waits for the header to show the account. */
export async function signIn(page, baseURL, who, next = "/") {
  await page.goto(baseURL + "/sign-in?next=" + encodeURIComponent(next));
  await settle(page);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The account's language takes over once signed in.
  await page.waitForSelector("header >> text=/^(Sign out|Cerrar sesión)$/");
  await settle(page);
}

/** freshPage opens a page with no session, saved language or draft left over from an earlier test. */
export async function freshPage(browser, baseURL, viewport) {
  await browser.context.clearCookies();
  const p = await browser.context.newPage();
  if (viewport) await p.setViewportSize(viewport);
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  await p.goto(baseURL + "/favicon.svg");
  await p.evaluate(() => localStorage.clear());
  p.errors = errors;
  return p;
}

/** noSeriousViolations fails the test when axe finds serious or critical violations on the page. */
export async function noSeriousViolations(page, where) {
  const v = await axe(page);
  if (v.length) throw new Error(`${where}: axe found serious or critical violations:\n${JSON.stringify(v, null, 2)}`);
}

/** fitsWidth tells whether the page needs no horizontal scrolling. */
export function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/** shotName turns a test name into a screenshot name. */
export function shotName(prefix, testName) {
  return prefix + "-" + testName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
}

/**
 * useStack registers a test file's hooks: before all, start the server
 * (seeded when asked) and Chromium, then run setup; after each test, save a
 * screenshot of its last screen (s.page) named prefix-test-name and close
 * it; after all, stop both. It returns s, filled as the hooks run.
 */
export function useStack(prefix, { seed, setup } = {}) {
  const s = { stack: null, browser: null, page: null };
  before(async () => {
    s.stack = await startStack({ seed });
    s.browser = await launch();
    if (setup) await setup(s);
  });
  afterEach(async (t) => {
    const p = s.page;
    s.page = null;
    if (!p || p.isClosed()) return;
    await shot(p, shotName(prefix, t.name)).catch(() => {});
    await p.close();
  });
  after(async () => {
    await s.browser?.close();
    await s.stack?.stop();
  });
  return s;
}

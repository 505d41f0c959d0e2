// Browser test harness: Debian's Chromium driven by playwright-core, axe-core
// checks, screenshots into test-output/e2e at the repository root.
//
// Target, in order: E2E_BASE_URL (a Common Ground server already running);
// E2E_SERVER=go (the harness builds the Go binary from the repository root
// and runs it with --addr 127.0.0.1:PORT --data-dir on a fresh temporary
// directory, so every run starts with an empty embedded store); otherwise
// `vite preview` of the built app. Test files decide whether they answer the
// API from fixtures (mock-api.mjs) or talk to the server.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** OUT is where screenshots go (git-ignored /test-output/ at the repository root). */
export const OUT = process.env.E2E_OUTPUT ?? join(here, "..", "..", "test-output", "e2e");
mkdirSync(OUT, { recursive: true });

/** realServer is true when the app is served by a Common Ground server rather than vite preview. */
export const realServer = !!process.env.E2E_BASE_URL || process.env.E2E_SERVER === "go";

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

/** startTarget returns the base URL to test and a function that stops what was started. */
export async function startTarget() {
  if (process.env.E2E_BASE_URL) return { baseURL: process.env.E2E_BASE_URL.replace(/\/$/, ""), stop: async () => {} };
  if (process.env.E2E_SERVER === "go") return startGoServer();
  const port = await freePort();
  const vite = join(here, "..", "node_modules", ".bin", "vite");
  const child = spawn(vite, ["preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: join(here, ".."),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const baseURL = `http://127.0.0.1:${port}`;
  await waitFor(baseURL + "/", 20_000);
  return {
    baseURL,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

/** launch starts Chromium with a fresh profile and returns its context. */
export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), "cg-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
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
 * startStack runs the real API: the Go server with a fresh data directory
 * (or E2E_API_URL when given), and `vite preview` of the built app proxying
 * /api to it, so the page and the API share one origin as in production.
 */
export async function startStack() {
  const api = process.env.E2E_API_URL ? { baseURL: process.env.E2E_API_URL.replace(/\/$/, ""), stop: async () => {} } : await startGoServer();
  const port = await freePort();
  const vite = join(here, "..", "node_modules", ".bin", "vite");
  const child = spawn(vite, ["preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: join(here, ".."),
    env: { ...process.env, COMMONGROUND_DEV_API: api.baseURL },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const baseURL = `http://127.0.0.1:${port}`;
  await waitFor(baseURL + "/", 20_000);
  return {
    baseURL,
    apiURL: api.baseURL,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      await api.stop();
    },
  };
}

/** ADMIN is the steward the Go server creates on its first start (COMMONGROUND_BOOTSTRAP_ADMIN_*). */
export const ADMIN = { email: "steward@example.org", password: "rogue valley steward 2020" };

/** startGoServer builds and runs the Common Ground binary with a fresh data directory. */
async function startGoServer() {
  const repo = join(here, "..", "..");
  const dir = mkdtempSync(join(tmpdir(), "cg-e2e-"));
  const bin = join(dir, "commonground");
  await new Promise((resolve, reject) => {
    const b = spawn("go", ["build", "-o", bin, "."], { cwd: repo, stdio: ["ignore", "inherit", "inherit"] });
    b.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`go build exited ${code}`))));
  });
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

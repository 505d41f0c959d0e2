// Browser test harness: Debian's Chromium driven by playwright-core, axe-core
// checks, screenshots into test-output/e2e at the repository root.
//
// Target: E2E_BASE_URL (a running Common Ground server, e.g. started by a
// script with `go run . --addr 127.0.0.1:PORT --data-dir DIR`). Without it,
// the built app is served by `vite preview` and the API is answered by the
// fixtures in mock-api.mjs, so the screens can be checked before the server
// has their routes.

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

/** realServer is true when the tests run against a Common Ground server rather than fixtures. */
export const realServer = !!process.env.E2E_BASE_URL;

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
  if (realServer) return { baseURL: process.env.E2E_BASE_URL.replace(/\/$/, ""), stop: async () => {} };
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

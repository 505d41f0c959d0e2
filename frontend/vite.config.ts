import { defineConfig } from "vitest/config";

// The API runs on the Go server; during `npm run dev` requests to /api are
// proxied to it (COMMONGROUND_DEV_API, default 127.0.0.1:8080).
const api = process.env.COMMONGROUND_DEV_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  build: {
    outDir: "dist",
    // dist/.placeholder comes back from public/ on every build, so the
    // committed placeholder that keeps the Go embed valid is never lost.
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // The county outlines are a JSON asset fetched on demand, never inlined.
    assetsInlineLimit: 4096,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { "/api": api },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});

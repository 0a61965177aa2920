// Real-browser test: the built ESM packages (dist/, made by `npm test`'s turbo build) load in
// headless Chromium (playwright-core + Debian's chromium, CHROMIUM_PATH) and a GEMM there matches JS.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PACKAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROUTES: Record<string, string> = { "/tensor/": "tensor/dist/", "/wasm-kernels/": "wasm-kernels/dist/" };

/** What the page reports. */
interface PageResult {
  enabled: boolean;
  build: string | undefined;
  wasmProvider: string | undefined;
  jsProvider: string | undefined;
  maxRelDiff: number;
}

/** The page's module script: the same seeded [65, 129] @ [129, 63] on wasm and on js. */
const SCRIPT = `
import { Rng, matmul, randn, traceKernels } from "@seqlab/tensor";
import { disableWasmKernels, useWasmKernels, wasmKernelsInfo } from "@seqlab/wasm-kernels";
const enabled = await useWasmKernels();
const rng = new Rng(7);
const a = randn([65, 129], { rng }), b = randn([129, 63], { rng });
const onWasm = traceKernels(() => matmul(a, b));
const build = wasmKernelsInfo().build;
disableWasmKernels();
const onJs = traceKernels(() => matmul(a, b));
const x = onWasm.result.data(), y = onJs.result.data();
let maxRelDiff = 0;
for (let i = 0; i < x.length; i++) maxRelDiff = Math.max(maxRelDiff, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
window.result = { enabled, build, wasmProvider: onWasm.calls[0]?.provider, jsProvider: onJs.calls[0]?.provider, maxRelDiff };
`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">{"imports":{"@seqlab/tensor":"/tensor/index.js","@seqlab/wasm-kernels":"/wasm-kernels/index.js"}}</script>
<script type="module" src="/test.js"></script>
</head><body></body></html>`;

describe("in headless Chromium", () => {
  let server: http.Server;
  let origin = "";
  beforeAll(async () => {
    for (const dir of Object.values(ROUTES)) {
      if (!fs.existsSync(path.join(PACKAGES, dir, "index.js"))) throw new Error(`packages/${dir}index.js is missing: run \`npm run build\` first`);
    }
    server = http.createServer((req, res) => {
      const url = req.url ?? "/";
      if (url === "/") return void res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
      if (url === "/test.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(SCRIPT);
      const prefix = Object.keys(ROUTES).find((p) => url.startsWith(p));
      const file = prefix && path.join(PACKAGES, ROUTES[prefix]!, path.normalize(url.slice(prefix.length)));
      if (!file || !fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/javascript" }).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("loads the package, enables the wasm kernels and matches the JS matmul", async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("console", (m) => void (m.type() === "error" || m.type() === "warning" ? errors.push(m.text()) : undefined));
      page.on("pageerror", (e) => void errors.push(e.message));
      await page.goto(`${origin}/`);
      const handle = await page.waitForFunction(() => (globalThis as { result?: PageResult }).result, undefined, { timeout: 30_000 });
      const result = (await handle.jsonValue())!;
      console.log(`chromium ${browser.version()}: ${JSON.stringify(result)}`);
      expect(errors).toEqual([]);
      expect(result).toMatchObject({ enabled: true, wasmProvider: "wasm", jsProvider: "js" });
      expect(["simd", "relaxed-simd"]).toContain(result.build);
      expect(result.maxRelDiff).toBeLessThan(1e-4);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

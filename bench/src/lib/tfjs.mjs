// Loads TensorFlow.js (core + cpu + wasm backends) for side-by-side runs in Node, offline:
// the .wasm binaries come from the installed @tensorflow/tfjs-backend-wasm package.
import fs from "node:fs";
import path from "node:path";
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

/**
 * Initialise tfjs with the cpu and wasm backends. The wasm backend is forced to one
 * thread (the threaded build needs cross-origin isolation in browsers and is never picked
 * in Node, but we pin it anyway) and the .wasm file it actually reads is recorded.
 * Returns `{ tf, info }` where info describes the wasm setup.
 */
export async function loadTfjs() {
  const tf = require("@tensorflow/tfjs-core");
  // Production mode: no debug checks, and no "install tfjs-node" banner in the report.
  tf.env().set("PROD", true);
  require("@tensorflow/tfjs-backend-cpu");
  const wasm = require("@tensorflow/tfjs-backend-wasm");
  const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;
  wasm.setWasmPaths(dist);
  wasm.setThreadsCount(1);

  // Record which binary Emscripten reads: it loads .wasm files through fs.readFileSync in Node.
  const read = [];
  const readFileSync = fs.readFileSync;
  fs.readFileSync = function (file, ...rest) {
    if (String(file).endsWith(".wasm")) read.push(path.basename(String(file)));
    return readFileSync.call(this, file, ...rest);
  };
  try {
    if (!(await tf.setBackend("wasm"))) throw new Error("tfjs: the wasm backend failed to initialise");
    await tf.ready();
  } finally {
    fs.readFileSync = readFileSync;
  }
  const info = {
    version: tf.version_core,
    wasmFile: read.join(", ") || "unknown",
    simd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
    threadsSupported: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"),
    threads: wasm.getThreadsCount(),
  };

  if (!(await tf.setBackend("cpu"))) throw new Error("tfjs: the cpu backend failed to initialise");
  return { tf, info };
}

/**
 * Register tfjs's gradient functions. tfjs-core's Node bundle ships without them (the
 * `@tensorflow/tfjs` union package imports `register_all_gradients`), and the file exists only
 * as ES modules with extensionless imports, which Node cannot load as is: a resolve/load hook
 * adds `.js` and marks them as ES modules. They register into tfjs's global registry and run
 * their ops on the same global engine as the Node bundle.
 */
export async function loadTfjsGradients() {
  const hook = `
    const inDist = (u) => typeof u === "string" && u.includes("/@tensorflow/tfjs-core/dist/") && !u.endsWith("/tf-core.node.js");
    export async function resolve(s, c, next) {
      return /^\\.\\.?\\//.test(s) && inDist(c.parentURL) && !/\\.m?js$/.test(s) ? next(s + ".js", c) : next(s, c);
    }
    export async function load(u, c, next) {
      return inDist(u) ? next(u, { ...c, format: "module" }) : next(u, c);
    }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  const file = createRequire(import.meta.url).resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  await import(pathToFileURL(file).href);
}

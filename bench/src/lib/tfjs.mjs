// Loads TensorFlow.js (core + cpu + wasm backends) for side-by-side runs in Node, offline:
// the .wasm binaries come from the installed @tensorflow/tfjs-backend-wasm package.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

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

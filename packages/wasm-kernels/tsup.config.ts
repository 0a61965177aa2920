// Build @seqlab/wasm-kernels as ESM + CJS with type declarations (the .wasm is embedded as base64).
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // The package tsconfig is a composite project (for `tsc -b`); the .d.ts bundle is not.
  dts: { compilerOptions: { composite: false, declarationMap: false } },
  clean: true,
  sourcemap: true,
  target: "es2022",
  treeshake: true,
  external: ["@seqlab/tensor"],
});

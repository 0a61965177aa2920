// Build @seqlab/autograd as ESM + CJS with type declarations.
import { defineConfig } from "tsup";

export default defineConfig({
  // Two entries share one chunk (splitting), so /vitest and the main entry use one engine.
  entry: ["src/index.ts", "src/vitest.ts"],
  splitting: true,
  format: ["esm", "cjs"],
  // The package tsconfig is a composite project (for `tsc -b`); the .d.ts bundle is not.
  dts: { compilerOptions: { composite: false, declarationMap: false } },
  clean: true,
  sourcemap: true,
  target: "es2022",
  treeshake: true,
});

// Shared tsup settings for the published packages: ESM + CJS + .d.ts, siblings left external.
import { type Options, defineConfig } from "tsup";

/** A package's build: the shared settings plus its own `overrides` (e.g. extra entries). */
export function libraryConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    // The package tsconfig is a composite project (for `tsc -b`); the .d.ts bundle is not.
    dts: { compilerOptions: { composite: false, declarationMap: false } },
    clean: true,
    sourcemap: true,
    target: "es2022",
    treeshake: true,
    external: [/^@seqlab\//],
    ...overrides,
  });
}

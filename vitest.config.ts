// Root vitest config: one project per package; workspace imports resolve to sources.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@seqlab/tensor": src("tensor"),
      "@seqlab/autograd/vitest": fileURLToPath(new URL("./packages/autograd/src/vitest.ts", import.meta.url)),
      "@seqlab/autograd": src("autograd"),
      "@seqlab/wasm-kernels": src("wasm-kernels"),
      "@seqlab/models": src("models"),
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "tensor", include: ["packages/tensor/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "autograd", include: ["packages/autograd/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "models", include: ["packages/models/**/*.test.ts"] },
      },
      {
        extends: true,
        // The relaxed-SIMD build only compiles on Node 20 with this V8 flag. The setup file offers
        // the wasm builds to @seqlab/tensor's backend suites, which this project also runs.
        test: {
          name: "wasm-kernels",
          include: ["packages/wasm-kernels/**/*.test.ts", "packages/tensor/test/backend/**/*.test.ts"],
          setupFiles: ["packages/wasm-kernels/test/backend-setup.ts"],
          execArgv: ["--experimental-wasm-relaxed-simd"],
        },
      },
    ],
  },
});

// Build @seqlab/autograd as ESM + CJS with type declarations.
import { libraryConfig } from "../../tools/tsup-library.config";

// Two entries share one chunk (splitting), so /vitest and the main entry use one engine.
export default libraryConfig({ entry: ["src/index.ts", "src/vitest.ts"], splitting: true });

// Build @seqlab/models as ESM + CJS with type declarations.
import { libraryConfig } from "../../tools/tsup-library.config";

export default libraryConfig({ entry: ["src/index.ts"] });

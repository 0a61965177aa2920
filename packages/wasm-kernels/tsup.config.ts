// Build @seqlab/wasm-kernels as ESM + CJS with type declarations (the .wasm is embedded as base64).
import { libraryConfig } from "../../tools/tsup-library.config";

export default libraryConfig();

// The JS reference provider: a kernel for every compute primitive (the type makes it exhaustive).
import type { CompleteProvider } from "../../dispatch.js";
import * as E from "./elementwise.js";
import * as X from "./indexing.js";
import { matmul } from "./matmul.js";
import * as R from "./reduce.js";

/** The reference kernels: correct for every dtype, layout and size; the fallback for every provider. */
export const jsProvider: CompleteProvider = {
  name: "js",
  kernels: {
    neg: { run: E.neg }, abs: { run: E.abs }, sign: { run: E.sign }, exp: { run: E.exp }, expm1: { run: E.expm1 },
    log: { run: E.log }, log1p: { run: E.log1p }, sqrt: { run: E.sqrt }, sin: { run: E.sin }, cos: { run: E.cos },
    tanh: { run: E.tanh }, sigmoid: { run: E.sigmoid }, erf: { run: E.erf }, relu: { run: E.relu },
    floor: { run: E.floor }, ceil: { run: E.ceil }, round: { run: E.round },
    add: { run: E.add }, sub: { run: E.sub }, mul: { run: E.mul }, div: { run: E.div }, pow: { run: E.pow },
    maximum: { run: E.maximum }, minimum: { run: E.minimum }, fmod: { run: E.fmod },
    eq: { run: E.eq }, ne: { run: E.ne }, lt: { run: E.lt }, le: { run: E.le }, gt: { run: E.gt }, ge: { run: E.ge },
    where: { run: E.where }, cast: { run: E.cast }, copy: { run: E.copy },
    sum: { run: R.sum }, prod: { run: R.prod }, max: { run: R.max }, min: { run: R.min },
    argmax: { run: R.argmax }, argmin: { run: R.argmin }, cumsum: { run: R.cumsum }, cumprod: { run: R.cumprod },
    softmax: { run: R.softmax }, logSoftmax: { run: R.logSoftmax },
    matmul: { run: matmul },
    gather: { run: X.gather }, scatter: { run: X.scatter }, scatterAdd: { run: X.scatterAdd },
    cat: { run: X.cat }, pad: { run: X.pad },
  },
};

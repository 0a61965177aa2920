// Smoke test of the packed @seqlab/tensor as a CommonJS consumer (run by tools/check-packages.sh).
"use strict";
/* global console */
const { tensor, matmul } = require("@seqlab/tensor");

const x = tensor([[1, 2], [3, 4]]);
const y = matmul(x, x);
if (y.sum().item() !== 54) throw new Error(`@seqlab/tensor (CJS): expected sum 54, got ${y.sum().item()}`);
console.log(y.toString());

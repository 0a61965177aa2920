/* global console */
// Smoke test of the packed @seqlab/autograd from a CommonJS consumer.
const { tensor } = require("@seqlab/tensor");
const { noGrad, gradients } = require("@seqlab/autograd");
const { seqlabMatchers } = require("@seqlab/autograd/vitest");

const w = tensor([0.5, -1], { dtype: "float64" }).requiresGrad_();
const [g] = gradients(w.tanh().sum(), [w]);
noGrad(() => w.sub_(g, { alpha: 0.1 }));
if (typeof seqlabMatchers.toPassGradcheck !== "function") throw new Error("@seqlab/autograd/vitest: matchers missing");
console.log("autograd ok:", w.toString());

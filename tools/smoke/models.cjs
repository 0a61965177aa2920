/* global console */
// Smoke test of the packed @seqlab/models from a CommonJS consumer.
const { Rng, randn, tensor } = require("@seqlab/tensor");
const { GRU, Sequential, Linear, ReLU, crossEntropy } = require("@seqlab/models");

const rng = new Rng(0);
const gru = new GRU({ inputSize: 2, hiddenSize: 3, batchFirst: true, rng });
const [out, h] = gru.forward(randn([4, 6, 2], { rng }));
if (out.shape.join(",") !== "4,6,3" || h.shape.join(",") !== "1,4,3") throw new Error("@seqlab/models: GRU shapes");
const mlp = new Sequential(new Linear(3, 8, { rng }), new ReLU(), new Linear(8, 5, { rng }));
const loss = crossEntropy(mlp.forward(out.select(1, -1)), tensor([0, 1, 2, 3], { dtype: "int32" }));
loss.backward();
console.log("models ok:", loss.item().toFixed(4), [...mlp.namedParameters()].map(([k]) => k).join(" "));

// Smoke test of the packed @seqlab/models from an ESM consumer: an LSTM forward/backward,
// a safetensors round trip of its state dict, and the gradient tracer.
import { Rng, randn } from "@seqlab/tensor";
import { LSTM, Linear, loadSafetensors, saveSafetensors, traceGradients } from "@seqlab/models";

const rng = new Rng(0);
const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, rng });
const head = new Linear(4, 1, { rng });
const x = randn([5, 2, 3], { rng });
const trace = traceGradients(() => {
  const [out] = lstm.forward(x);
  head.forward(out.select(0, -1)).square().mean().backward();
});
if (trace.layers[0].gradNorms.length !== 5) throw new Error("@seqlab/models: tracer did not see 5 steps");
if (lstm.weight_ih_l0.grad === null) throw new Error("@seqlab/models: no gradient reached weight_ih_l0");
const copy = new LSTM({ inputSize: 3, hiddenSize: 4, rng: new Rng(1) });
copy.loadStateDict(loadSafetensors(saveSafetensors(lstm.stateDict())).tensors);
const a = lstm.forward(x)[0].data();
const b = copy.forward(x)[0].data();
if (a.some((v, i) => v !== b[i])) throw new Error("@seqlab/models: safetensors round trip changed the outputs");
console.log("models ok:", lstm.parameterCount(), "parameters; ‖∂L/∂h_t‖ =", trace.layers[0].gradNorms.map((g) => g.toFixed(4)).join(" "));

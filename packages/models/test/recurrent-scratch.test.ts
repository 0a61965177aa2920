import { it } from "vitest";
import { Rng, randn, zeros } from "@seqlab/tensor";
import { LSTM, GRUCell } from "../src/index.js";
it("edge", () => {
  const m = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, rng: new Rng(0) });
  for (const shape of [[0, 2, 2], [3, 0, 2], [0, 2]]) {
    try { const [o, [h]] = m.forward(zeros(shape)); console.log(shape, "->", o.shape, h.shape); } catch (e) { console.log(shape, "error", (e as Error).constructor.name, (e as Error).message); }
  }
  try { const [o, [h]] = m.forward(zeros([3, 0, 2]), undefined, { lengths: [] }); console.log("B0 lengths ->", o.shape, h.shape); } catch (e) { console.log("error", (e as Error).message); }
  const c = new GRUCell({ inputSize: 2, hiddenSize: 3 });
  try { console.log(c.forward(zeros([0, 1, 2]))[0].shape); } catch (e) { console.log("cell error", (e as Error).message); }
});

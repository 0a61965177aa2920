// Type-only smoke test of the packed @seqlab/models (checked as an ESM and a CJS consumer).
import { Rng, randn, type Tensor } from "@seqlab/tensor";
import { LSTM, Module, Linear, Seq2Seq, type LSTMState, type StateDict, saveSafetensors } from "@seqlab/models";

class Tagger extends Module {
  lstm = new LSTM({ inputSize: 4, hiddenSize: 8, rng: new Rng(0) });
  head = new Linear(8, 3);
  forward(x: Tensor): Tensor {
    const [out, state]: [Tensor, LSTMState] = this.lstm.forward(x);
    return this.head.forward(out.add(state[0].select(0, 0)));
  }
}
const tagger = new Tagger();
const y: Tensor = tagger.forward(randn([5, 2, 4]));
const dict: StateDict = tagger.stateDict();
const bytes: Uint8Array = saveSafetensors(dict, { format: "pt" });
const s2s = new Seq2Seq({ srcVocab: 5, tgtVocab: 5, embedDim: 2, hiddenSize: 3 });
console.log(y.shape, bytes.length, s2s.parameterCount());

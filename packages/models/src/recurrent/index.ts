// The recurrent family in one import: PyTorch-compatible RNN/LSTM/GRU cells and layers, the
// shared Recurrent interface, and the variable-length (lengths) types.
export type { Recurrent } from "./interface.js";
export { RNNCell, LSTMCell, GRUCell } from "./cells.js";
export type { CellOptions, RNNCellOptions, SequenceOptions, LSTMState } from "./cells.js";
export { RNN, LSTM, GRU } from "./rnn.js";
export type { RecurrentLayerOptions, RNNOptions } from "./rnn.js";
export type { SequenceLengths } from "./lengths.js";

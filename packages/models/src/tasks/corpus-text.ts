// A small English corpus about sequence models for character-level language modelling.
// Written for seqlab; dedicated to the public domain under CC0 1.0.

/** About 4 KB of original prose (CC0 1.0, written for seqlab). */
export const SEQUENCE_MODELS_CORPUS = `A sequence model reads one thing after another and tries to say what comes next. The thing may be a letter, a word, a note of music, or the price of bread on a Tuesday. What matters is the order. If you shuffle the letters of a sentence you keep every letter and lose the sentence.

The oldest trick is to keep a small memory and update it at every step. A recurrent network does exactly this. It holds a vector called the hidden state, and at each step it mixes the new input with the old state through a matrix, then squashes the result. The same matrix is used at every step, so the network can read a sequence of any length with a fixed number of weights.

Training such a network means asking how a change in a weight far back in time would change the error at the end. The answer is a long product of matrices, one per step. When those matrices shrink vectors, the product fades toward zero and the early steps stop learning. When they stretch vectors, the product grows without bound and training blows up. These are the vanishing and exploding gradients, and for years they were the main reason recurrent networks forgot what they had read.

The long short-term memory cell answers with gates. A gate is a small layer whose output lies between zero and one and multiplies some other signal. The forget gate decides how much of the old cell state to keep, the input gate decides how much of the new candidate to write, and the output gate decides how much of the cell to show. Because the cell state is carried forward by addition rather than by a squashing matrix, a gradient can travel along it for many steps without fading. The gated recurrent unit keeps the same idea with fewer parts.

Attention takes another road. Instead of squeezing the past into one vector, it keeps every earlier position and lets the current position look back at all of them. Each position writes a query, a key and a value. The query is compared with every key, the scores are turned into weights by a softmax, and the output is the weighted sum of the values. Nothing has to survive a long chain of steps, because any two positions are one step apart.

A transformer stacks layers of attention and small feed forward networks, with residual connections and layer normalization around each. Since attention alone does not know the order of its inputs, the model adds positional information, either as fixed sinusoids, as learned vectors, or as rotations of the queries and keys. Many heads run side by side, each free to attend to something different: the previous word, the matching bracket, the subject of the verb.

The price of looking at everything is that the cost grows with the square of the length. Doubling the context makes the attention matrix four times larger. Several designs bring back a little recurrence to reach further. One keeps the hidden states of the previous segment as a memory that the next segment can attend to. Another runs a recurrent cell over blocks of tokens, so that a small state carries news from block to block while attention works inside each block.

Images can be read the same way. Cut a picture into square patches, flatten each patch into a vector, add a position to each, and hand the row of patches to a transformer. With enough data the model learns which patches to compare, and its attention maps show where it looked.

To see these ideas at work it helps to use tasks where the answer is known. Copy a string after a long pause. Add two marked numbers buried in noise. Recall the value stored under a key. Decide whether the brackets balance. A model that has learned the task does far better than chance, and a model that has not stays close to it. Watching the loss fall, or refuse to fall, is often the quickest way to learn what a model can and cannot remember.
`;

// @seqlab/tensor: n-d tensors with PyTorch semantics, a JS reference backend, and one
// dispatch choke point for accelerated kernels and autograd.
export { Tensor, Storage } from "./tensor.js";
export type { DType, TypedArray, StorageArrays, PromotionOperand } from "./dtype.js";
export { DTYPES, isFloating, isIntegral, promoteTypes, resultType } from "./dtype.js";
export { TensorError, ShapeError, AxisError, DTypeError, IndexError, BackendError, ValueError, fmtShape } from "./errors.js";
export type { ErrorFields } from "./errors.js";
export { Rng, manualSeed, defaultRng } from "./rng.js";
export { MAX_ELEMENTS, numel, broadcastShapes, contiguousStrides } from "./shape.js";
export {
  dispatch,
  dispatchView,
  registerProvider,
  unregisterProvider,
  listProviders,
  setObserver,
  getObserver,
  traceKernels,
  VIEW_PRIMITIVES,
} from "./dispatch.js";
export type {
  Primitive,
  ComputePrimitive,
  ViewPrimitive,
  PrimitiveAttrs,
  Kernel,
  KernelProvider,
  CompleteProvider,
  ProviderKernel,
  DispatchObserver,
  AutogradHooks,
  BackwardOptions,
  GradHook,
  NoAttrs,
  KernelFn,
  ReduceAttrs,
  AxisAttrs,
} from "./dispatch.js";
export { jsProvider } from "./kernels/js/index.js";
export type { NestedArray, PrintOptions } from "./format.js";
export { formatTensor } from "./format.js";
export * from "./ops/creation.js";
export * from "./ops/view.js";
export * from "./ops/join.js";
export * from "./ops/elementwise.js";
export * from "./ops/activation.js";
export * from "./ops/reduce.js";
export * from "./ops/indexing.js";
export * from "./ops/linalg.js";
export * from "./ops/inplace.js";
export * from "./ops/compare.js";
export * from "./ops/einsum.js";
export * from "./ops/conv.js";

/**
 * Entry of Recur's WebAssembly sequence kernels (AssemblyScript, WebAssembly SIMD). The
 * module imports tfjs' heap as its memory and keeps no state and no data of its own:
 * every buffer is a pointer argument (tensor memory or `_malloc`ed scratch).
 */
export { adamUpdate } from './adam';
export { ctcLossBackward, ctcLossBackwardScratch, ctcLossForward, ctcLossForwardScratch } from './ctc-loss';
export { elmanBackward, elmanBackwardScratch, elmanForward, elmanForwardScratch } from './elman';
export { gemm } from './gemm';
export { gruForward, gruForwardScratch } from './gru';
export { gruBackward, gruBackwardScratch } from './gru-grad';
export { linearScanBackward, linearScanForward } from './linear-scan';
export { logLinearScanBackward, logLinearScanForward } from './log-linear-scan';
export { lstmBackward, lstmBackwardScratch, lstmForward, lstmForwardScratch } from './lstm';
export { minRnnBackward, minRnnForward } from './min-rnn';
export { slstmBackward, slstmBackwardScratch, slstmForward, slstmForwardScratch } from './slstm';
export { softmaxCrossEntropyBackward, softmaxCrossEntropyForward } from './softmax-cross-entropy';
export { sumOfSquares } from './sum-of-squares';
export { wkvBackward, wkvForward } from './wkv';

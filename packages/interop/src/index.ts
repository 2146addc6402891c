export { readSafetensors, type Safetensors, type SafetensorsDtype, writeSafetensors } from './safetensors.js';
export type { TorchModuleInfo, TorchOptions } from './torch-layout.js';
export { modelFromTorchModules, type TorchModelOptions } from './torch-model.js';
export { stateFromTorch, stateToTorch, swapBatchAndTime, type TorchState } from './torch-state.js';
export {
  type FromTorchOptions,
  fromTorch,
  type TorchWeight,
  torchModules,
  torchWeightSpec,
  toTorch,
} from './torch-weights.js';

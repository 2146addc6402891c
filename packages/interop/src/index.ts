export { type ActivationLayer, activationLayer } from './activation-layer.js';
export { type FromKerasContext, type KerasLayerJson, layerFromKeras, layerToKeras } from './keras-layers.js';
export { type MaskingConfig, type MaskingLayer, masking } from './masking.js';
export type { LoadedStack } from './model-parts.js';
export { type OnnxOptions, toOnnx } from './onnx-export.js';
export { readSafetensors, type Safetensors, type SafetensorsDtype, writeSafetensors } from './safetensors.js';
export { fromTfjsModel, type LoadedModel, type TfjsModelFiles, toTfjsModel } from './tfjs-model.js';
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

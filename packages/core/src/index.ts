import './register-gradients.js';

export { ACTIVATION_NAMES, type Activation, type ActivationName, getActivation } from './activations.js';
export { activeBackend, type BackendCapabilities, type BackendPlugin, useBackend } from './backend.js';
export type { Carry, Cell, Params } from './cell.js';
export { badArgument, describeValue, RECUR_ERROR_CODES, RecurError, type RecurErrorCode } from './errors.js';
export {
  computeFans,
  constant,
  type Distribution,
  type FanMode,
  getInitializer,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  INITIALIZER_NAMES,
  type Initializer,
  type InitializerName,
  identity,
  lecunNormal,
  lecunUniform,
  normal,
  ones,
  orthogonal,
  truncatedNormal,
  uniform,
  varianceScaling,
  zeros,
} from './initializers.js';
export { Rng, type RngState } from './random.js';
export { assertFiniteNumber, assertOneOf, assertPositiveInteger, assertShape } from './validate.js';

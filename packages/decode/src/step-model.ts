// The decoding contract lives in core so models need not depend on the decoders; it is
// re-exported here, where decoder users look for it.
export type { StepModel, StepOutput } from '@recur/core';

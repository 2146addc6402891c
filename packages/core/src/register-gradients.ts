// Importing this module registers every tfjs-core gradient that is not registered yet.
// tfjs-core's Node entry registers none, so without it `tf.grad` fails with
// "gradient function not found for Sum". Importing @recur/core is enough.
//
// Order matters: tfjs-core proper must create the global engine first. The bundle holds
// private copies of tfjs internals; had it created the engine, tensors would be built
// from its Tensor class, which lacks the chained methods (`x.reshape()`).
import '@tensorflow/tfjs-core';
import './generated/gradients.js';

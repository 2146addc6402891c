// The root README's GPU backends: in Node this needs the npm `webgpu` package and a Vulkan driver.
import { webgpu } from '@recur/backend-webgpu'; // or: import { webgl } from '@recur/backend-webgl'
import { useBackend } from '@recur/core';

await useBackend(webgpu); // BACKEND_UNAVAILABLE with the reason when there is no adapter

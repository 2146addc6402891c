// Types of `gradients.js` beside this file: a side-effect module (it registers tfjs-core's
// gradients) that `scripts/bundle-gradients.mjs` writes at build time and git does not
// track. It exports nothing.
export {};

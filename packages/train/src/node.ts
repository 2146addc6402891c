// Node-only helpers (file system). The main entry stays browser-safe.
export { loadCheckpoint, saveCheckpoint } from './checkpoint/file.js';

// The simulator as the CLI loads it on demand (a bundle of its own, dist/chunks/sim.mjs): the demo's
// persisted host (LVMSNAP_SIMULATOR) and the model a --check plan is rehearsed on. Only plain data and
// HostPort objects cross from here into the CLI's bundle.
export { loadSimHost } from './persisted.js';
export { SimHost } from './host.js';
export { systemFromSnapshot } from './from-snapshot.js';

/** uraiden-kit package root. One `export … from` line per module; see docs/ARCHITECTURE.md. */
export * from './protocol/index.js';
export * from './sim/index.js';
export * from './reference/receiver/index.js';
export * from './reference/sender/index.js';
export * from './reference/receiver/proxy/index.js';
export { FAULTS, parseFaults, UnknownFaultError, type Fault } from './reference/faults.js';

/** uraiden-kit package root. One `export … from` line per module; see docs/ARCHITECTURE.md. */
export * from './protocol/index.ts';
export * from './sim/index.ts';
export * from './reference/receiver/index.ts';
export * from './reference/sender/index.ts';
export * from './reference/proxy/index.ts';
export { FAULTS, parseFaults, UnknownFaultError, type Fault } from './reference/faults.ts';

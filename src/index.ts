/** uraiden-kit package root. One `export … from` line per module; see docs/ARCHITECTURE.md. */
export * from './protocol/index.ts';

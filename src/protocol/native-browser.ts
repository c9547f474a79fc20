/**
 * native.ts for browsers (mapped by package.json "browser"): no addon and no environment, so the
 * backends module settles on @noble/secp256k1. Same exports as native.ts.
 */
import type { NativeSecp256k1 } from './native.js';

export function loadNativeSecp256k1(): NativeSecp256k1 | { error: string } {
  return { error: 'no native addon in a browser' };
}

export function requestedBackend(): string | undefined {
  return undefined;
}

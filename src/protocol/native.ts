/**
 * The Node side of the signature backends (backend.ts): libsecp256k1 through the native
 * `secp256k1` addon, and the `URAIDEN_SECP` switch. This is the protocol layer's only file that
 * touches Node; bundlers for browsers take native-browser.ts instead (package.json "browser"), so
 * the browser library (`uraiden-kit/browser`) carries no Node built-in.
 */
import { createRequire } from 'node:module';

/** r ‖ s (64 bytes) and a recovery id 0/1 → the uncompressed public key, or undefined. */
export interface NativeSecp256k1 {
  recover(digest: Uint8Array, rs: Uint8Array, recid: number): Uint8Array | undefined;
  sign(digest: Uint8Array, privateKey: Uint8Array): { rs: Uint8Array; recid: number };
}

type Addon = typeof import('secp256k1');

/** libsecp256k1, or why it did not load. */
export function loadNativeSecp256k1(): NativeSecp256k1 | { error: string } {
  let lib: Addon;
  try {
    // `secp256k1` itself silently falls back to elliptic (pure JS) when the addon fails to load;
    // requiring its bindings directly makes "native" mean libsecp256k1 or nothing.
    lib = createRequire(import.meta.url)('secp256k1/bindings.js') as Addon;
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  const out = new Uint8Array(65);
  return {
    recover(digest, rs, recid) {
      try {
        return lib.ecdsaRecover(rs, recid as 0 | 1, digest, false, out);
      } catch {
        return undefined; // libsecp256k1 refused: r not an x coordinate, or the point at infinity
      }
    },
    sign(digest, privateKey) {
      const { signature, recid } = lib.ecdsaSign(digest, privateKey);
      return { rs: signature, recid };
    },
  };
}

/** The backend `URAIDEN_SECP` asks for, if any. */
export function requestedBackend(): string | undefined {
  const value = process.env['URAIDEN_SECP'];
  return value === undefined || value === '' ? undefined : value;
}

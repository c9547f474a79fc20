/**
 * Signature backends (recovery and signing). libsecp256k1 through the native `secp256k1` addon is ~40× faster
 * than pure JS (FACTS: 13.8k vs 316 recoveries/s) and the proxy recovers once per paid request,
 * so it is preferred when its prebuilt binary loads; @noble/secp256k1 is the portable fallback.
 *
 * `URAIDEN_SECP=noble|native` picks one at load, `setSignatureBackend` at run time, so tests and
 * benchmarks run both on the same inputs. The addon and the environment are native.ts's (Node
 * only); in a browser bundle native-browser.ts stands in and noble is the backend.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as noble from '@noble/secp256k1';
import { SignatureBackendError } from './errors.js';
import { loadNativeSecp256k1, requestedBackend } from './native.js';

export type SignatureBackend = 'native' | 'noble';

/**
 * Recovers the uncompressed public key (0x04 ‖ x ‖ y, 65 bytes) from a 32-byte digest, r ‖ s
 * (64 bytes) and a recovery id 0/1; undefined when no key recovers. The result may be a shared
 * buffer, valid until the next call: callers hash it at once.
 */
type Recover = (digest: Uint8Array, rs: Uint8Array, recid: number) => Uint8Array | undefined;

/**
 * Signs a 32-byte digest: r ‖ s (64 bytes, low s) and the recovery id. Both backends use RFC 6979
 * nonces and normalise s, so they give the same bytes for the same key and digest.
 */
type Sign = (digest: Uint8Array, privateKey: Uint8Array) => { rs: Uint8Array; recid: number };

// Reused for every noble recovery: its recovered format is recid ‖ r ‖ s.
const nobleSig = new Uint8Array(65);
const recoverNoble: Recover = (digest, rs, recid) => {
  nobleSig[0] = recid;
  nobleSig.set(rs, 1);
  try {
    return noble.recoverPublicKey(nobleSig, digest, { prehash: false, isCompressed: false });
  } catch {
    return undefined;
  }
};

// noble's synchronous sign needs these (RFC 6979 runs HMAC-DRBG over SHA-256).
noble.hashes.sha256 = sha256;
noble.hashes.hmacSha256 = (key, msg) => hmac(sha256, key, msg);

const signNoble: Sign = (digest, privateKey) => {
  // noble's recovered format is recid ‖ r ‖ s.
  const rec = noble.sign(digest, privateKey, { prehash: false, lowS: true, format: 'recovered' });
  return { rs: rec.subarray(1), recid: rec[0]! };
};

const native = loadNativeSecp256k1();
let current: SignatureBackend = 'noble';
let recoverImpl: Recover = recoverNoble;
let signImpl: Sign = signNoble;

/** Backends usable in this process, preferred first. */
export function availableSignatureBackends(): SignatureBackend[] {
  return 'recover' in native ? ['native', 'noble'] : ['noble'];
}

/** The backend recoveries currently use. */
export function signatureBackend(): SignatureBackend {
  return current;
}

/** Switches backend; throws SignatureBackendError for `native` when the addon did not load. */
export function setSignatureBackend(backend: SignatureBackend): void {
  if (backend === 'noble') {
    recoverImpl = recoverNoble;
    signImpl = signNoble;
  } else if (backend === 'native') {
    if (!('recover' in native)) throw new SignatureBackendError(backend, native.error);
    recoverImpl = native.recover;
    signImpl = native.sign;
  } else {
    throw new SignatureBackendError(backend, 'expected "native" or "noble"');
  }
  current = backend;
}

export function recoverPublicKey(digest: Uint8Array, rs: Uint8Array, recid: number): Uint8Array | undefined {
  return recoverImpl(digest, rs, recid);
}

export function signRecoverable(digest: Uint8Array, privateKey: Uint8Array): { rs: Uint8Array; recid: number } {
  return signImpl(digest, privateKey);
}

const requested = requestedBackend();
if (requested !== undefined) setSignatureBackend(requested as SignatureBackend);
else if ('recover' in native) setSignatureBackend('native');

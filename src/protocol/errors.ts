/**
 * Every error the protocol layer throws. Each class has a stable `code` (callers switch on it,
 * messages may change) and carries the offending value, so a proxy can answer with the reason and
 * a test can assert on exactly what was refused.
 */

export class UraidenError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class InvalidAddressError extends UraidenError {
  readonly value: unknown;

  constructor(value: unknown) {
    super('INVALID_ADDRESS', `invalid address ${JSON.stringify(value)}: expected 0x and 40 hex digits`);
    this.value = value;
  }
}

/** Why a signature was refused (§1.4); part of the stable interface, also used in fixtures/vectors.json. */
export type SignatureRefusal = 'missing-0x-prefix' | 'wrong-length' | 'not-hex' | 'invalid-v' | 'r-out-of-range' | 's-out-of-range' | 'recovery-failed';

export class InvalidSignatureError extends UraidenError {
  readonly value: unknown;
  readonly reason: SignatureRefusal;

  constructor(value: unknown, reason: SignatureRefusal) {
    super('INVALID_SIGNATURE', `invalid signature (${reason}): ${JSON.stringify(value)}`);
    this.value = value;
    this.reason = reason;
  }
}

/** Not `0x` followed by exactly `length` bytes of hex (e.g. a 32-byte message hash). */
export class InvalidHexError extends UraidenError {
  readonly field: string;
  readonly value: unknown;
  readonly length: number;

  constructor(field: string, value: unknown, length: number) {
    super('INVALID_HEX', `${field}: expected 0x and ${length} bytes of hex, got ${JSON.stringify(value)}`);
    this.field = field;
    this.value = value;
    this.length = length;
  }
}

/** Not a private key. The value itself is deliberately not kept: it would leak into logs. */
export class InvalidPrivateKeyError extends UraidenError {
  constructor(reason: string) {
    super('INVALID_PRIVATE_KEY', `invalid private key: ${reason}`);
  }
}

/** A value that should be an integer is not one (1.5, NaN, "12a", a negative sign where none may be). */
export class InvalidIntegerError extends UraidenError {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown) {
    super('INVALID_INTEGER', `${field}: not an integer: ${JSON.stringify(String(value))}`);
    this.field = field;
    this.value = value;
  }
}

/** An integer outside the range of its Solidity type (uint32 open block, uint192 balance). */
export class OutOfRangeError extends UraidenError {
  readonly field: string;
  readonly value: bigint;
  readonly min: bigint;
  readonly max: bigint;

  constructor(field: string, value: bigint, min: bigint, max: bigint) {
    super('OUT_OF_RANGE', `${field}: ${value} is outside [${min}, ${max}]`);
    this.field = field;
    this.value = value;
    this.min = min;
    this.max = max;
  }
}

/** Why a request's payment headers were refused (§3.2 step 3). */
export type HeaderRefusal = 'missing' | 'not-decimal' | 'out-of-range' | 'invalid-address' | 'conflicting-balance' | 'invalid-signature';

/**
 * Malformed payment headers in a request. `status` is the answer §3.2 step 3 prescribes: 409 for
 * syntax, 402 with `flag` RDN-Invalid-Balance-Proof for a malformed signature.
 */
export class HeaderError extends UraidenError {
  readonly header: string;
  readonly value: string | undefined;
  readonly reason: HeaderRefusal;
  readonly status: 409 | 402;
  readonly flag: 'RDN-Invalid-Balance-Proof' | undefined;

  constructor(header: string, value: string | undefined, reason: HeaderRefusal, status: 409 | 402, options?: ErrorOptions) {
    super('INVALID_HEADER', `${header}: ${reason}${value === undefined ? '' : `: ${JSON.stringify(value)}`}`, options);
    this.header = header;
    this.value = value;
    this.reason = reason;
    this.status = status;
    this.flag = status === 402 ? 'RDN-Invalid-Balance-Proof' : undefined;
  }
}

/** Why a server's reply headers were refused by a client. */
export type ReplyHeaderRefusal = HeaderRefusal | 'invalid-flag' | 'multiple-error-flags';

/** Malformed reply headers, seen by a client. No HTTP status: the client is not answering anyone. */
export class ReplyHeaderError extends UraidenError {
  readonly header: string;
  readonly value: string | undefined;
  readonly reason: ReplyHeaderRefusal;

  constructor(header: string, value: string | undefined, reason: ReplyHeaderRefusal, options?: ErrorOptions) {
    super('INVALID_REPLY_HEADER', `${header}: ${reason}${value === undefined ? '' : `: ${JSON.stringify(value)}`}`, options);
    this.header = header;
    this.value = value;
    this.reason = reason;
  }
}

/** The requested signature backend cannot be used on this machine (the native addon did not load). */
export class SignatureBackendError extends UraidenError {
  readonly backend: string;

  constructor(backend: string, reason: string) {
    super('SIGNATURE_BACKEND_UNAVAILABLE', `signature backend ${JSON.stringify(backend)} unavailable: ${reason}`);
    this.backend = backend;
  }
}

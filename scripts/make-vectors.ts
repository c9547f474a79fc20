/**
 * Writes fixtures/vectors.json: §1 test vectors for implementers in other languages (format in
 * fixtures/README.md). Deterministic: keys come from fixed strings and signatures are RFC 6979, so
 * running it twice gives the same bytes; test/protocol/vectors.test.ts checks the committed file
 * equals this output. Every entry is computed with our code and asserted against what the vector
 * declares before anything is written.
 *
 *   npm run vectors
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BALANCE_PROOF_SCHEMA_HASH,
  CLOSING_SCHEMA_HASH,
  InvalidSignatureError,
  balanceMessageHash,
  bytesToHex,
  channelKey,
  closingMessageHash,
  encodeOpenData,
  encodeTopUpData,
  keccak256,
  normalizeSignature,
  privateKeyToAddress,
  recoverBalanceProofSigner,
  recoverClosingSigner,
  signBalanceProof,
  signClosing,
  toChecksumAddress,
  type Address,
  type BalanceProofMessage,
  type ClosingMessage,
  type Hex,
  type SignatureRefusal,
} from '../src/protocol/index.js';
import { N, R_NOT_ON_CURVE, sigFrom, sigParts, sigRecoveringToInfinity, toHighS, withV } from '../test/protocol/helpers.js';

export const VECTORS_PATH = fileURLToPath(new URL('../fixtures/vectors.json', import.meta.url));

/** keccak256(utf8(label)): how the file's keys and contract address are derived. */
function derive(label: string): Hex {
  return bytesToHex(keccak256(new TextEncoder().encode(label)));
}

const SENDER_KEY = derive('uraiden-kit vectors: sender');
const RECEIVER_KEY = derive('uraiden-kit vectors: receiver');
const SENDER = privateKeyToAddress(SENDER_KEY);
const RECEIVER = privateKeyToAddress(RECEIVER_KEY);
const CONTRACT = toChecksumAddress(`0x${derive('uraiden-kit vectors: contract').slice(26)}`);
const MAX_UINT32 = 2 ** 32 - 1;
const MAX_UINT192 = 2n ** 192n - 1n;

type Outcome = { valid: true; signer: Address; normalizedSignature: Hex } | { valid: false; reason: SignatureRefusal };
type JsonMessage<P extends 'receiver' | 'sender'> = Record<P | 'contract', Address> & { openBlock: number; balance: string };

export type SignatureVector<P extends 'receiver' | 'sender'> = {
  id: string;
  description: string;
  message: JsonMessage<P>;
  messageHash: Hex;
  signature: string;
} & Outcome;

export interface Vectors {
  description: string;
  keys: { name: string; privateKey: Hex; address: Address }[];
  contract: Address;
  schemaHashes: { balanceProof: Hex; closing: Hex };
  balanceProofs: SignatureVector<'receiver'>[];
  closingSignatures: SignatureVector<'sender'>[];
  channelKeys: { id: string; sender: Address; receiver: Address; openBlock: number; key: Hex }[];
  erc223Data: { id: string; kind: 'open' | 'topUp'; sender: Address; receiver: Address; openBlock?: number; data: Hex }[];
}

/** Runs our verifier on a vector and checks it declares what the verifier does. */
function outcome(recover: () => Address, signature: string, expected: Address | SignatureRefusal): Outcome {
  let got: Outcome;
  try {
    got = { valid: true, signer: recover(), normalizedSignature: normalizeSignature(signature) };
  } catch (err) {
    if (!(err instanceof InvalidSignatureError)) throw err;
    got = { valid: false, reason: err.reason };
  }
  const gotText = got.valid ? got.signer : got.reason;
  if (gotText !== expected) throw new Error(`vector for ${signature}: expected ${expected}, our verifier says ${gotText}`);
  return got;
}

function balanceVector(
  id: string,
  description: string,
  m: BalanceProofMessage,
  signature: string,
  expected: Address | SignatureRefusal,
): SignatureVector<'receiver'> {
  return {
    id,
    description,
    message: { receiver: toChecksumAddress(m.receiver), openBlock: m.openBlock, balance: m.balance.toString(), contract: toChecksumAddress(m.contract) },
    messageHash: balanceMessageHash(m),
    signature,
    ...outcome(() => recoverBalanceProofSigner(m, signature), signature, expected),
  };
}

function closingVector(id: string, description: string, m: ClosingMessage, signature: string, expected: Address | SignatureRefusal): SignatureVector<'sender'> {
  return {
    id,
    description,
    message: { sender: toChecksumAddress(m.sender), openBlock: m.openBlock, balance: m.balance.toString(), contract: toChecksumAddress(m.contract) },
    messageHash: closingMessageHash(m),
    signature,
    ...outcome(() => recoverClosingSigner(m, signature), signature, expected),
  };
}

/** The first balance from `start` whose proof is signed with the given v (to show both parities). */
function proofWithV(v: 27 | 28, start: bigint): { m: BalanceProofMessage; sig: Hex } {
  for (let balance = start; ; balance++) {
    const m = { receiver: RECEIVER, openBlock: 100, balance, contract: CONTRACT };
    const sig = signBalanceProof(SENDER_KEY, m);
    if (sigParts(sig).v === v) return { m, sig };
  }
}

function balanceProofs(): SignatureVector<'receiver'>[] {
  const base: BalanceProofMessage = { receiver: RECEIVER, openBlock: 1234567, balance: 10n ** 18n, contract: CONTRACT };
  const sig = signBalanceProof(SENDER_KEY, base);
  const { r, s, v } = sigParts(sig);
  const v27 = proofWithV(27, 1000n);
  const v28 = proofWithV(28, 1000n);
  const zero = { ...base, balance: 0n };
  const max = { ...base, openBlock: MAX_UINT32, balance: MAX_UINT192 };
  const blockZero = { ...base, openBlock: 0, balance: 1n };
  const high = toHighS(sig);
  const other = { ...base, balance: base.balance + 1n };
  const otherSigner = recoverBalanceProofSigner(other, sig);
  const refused = (id: string, description: string, bad: string, reason: SignatureRefusal) => balanceVector(id, description, base, bad, reason);

  return [
    balanceVector('bp-basic', '1 token (10^18 base units) at open block 1234567, as signed (v 27/28, low s)', base, sig, SENDER),
    balanceVector('bp-v27', 'a proof whose signature has v = 27', v27.m, v27.sig, SENDER),
    balanceVector('bp-v28', 'a proof whose signature has v = 28', v28.m, v28.sig, SENDER),
    balanceVector('bp-v0', 'bp-v27 with v written as the raw recovery id 0: accepted, normalised to 27', v27.m, withV(v27.sig, 0), SENDER),
    balanceVector('bp-v1', 'bp-v28 with v written as the raw recovery id 1: accepted, normalised to 28', v28.m, withV(v28.sig, 1), SENDER),
    balanceVector('bp-balance-zero', 'balance 0', zero, signBalanceProof(SENDER_KEY, zero), SENDER),
    balanceVector('bp-max', 'open block 2^32 − 1 and balance 2^192 − 1', max, signBalanceProof(SENDER_KEY, max), SENDER),
    balanceVector('bp-open-block-zero', 'open block 0 (encodes; no channel can have it)', blockZero, signBalanceProof(SENDER_KEY, blockZero), SENDER),
    balanceVector('bp-high-s', 'bp-basic as its malleable twin (r, n − s, v flipped): the contract accepts any s, so must verifiers', base, high, SENDER),
    balanceVector('bp-uppercase-hex', 'bp-basic in upper-case hex digits (prefix 0x): accepted', base, `0x${sig.slice(2).toUpperCase()}`, SENDER),
    balanceVector(
      'bp-other-message',
      "bp-basic's signature over balance + 1: well formed, recovers some other address (a verifier compares it with the sender)",
      other,
      sig,
      otherSigner,
    ),
    ...[29, 30, 35, 36, 37].map((bad) =>
      refused(`bp-v${bad}`, `bp-basic with v = ${bad}: refused (the contract takes only 0, 1, 27, 28; 35+ are EIP-155 values)`, withV(sig, bad), 'invalid-v'),
    ),
    refused('bp-v2', 'bp-basic with v = 2: refused', withV(sig, 2), 'invalid-v'),
    refused('bp-64-bytes', 'bp-basic without its v byte (64 bytes): refused', sig.slice(0, 130), 'wrong-length'),
    refused('bp-66-bytes', 'bp-basic with a trailing zero byte (66 bytes): refused', `${sig}00`, 'wrong-length'),
    refused('bp-not-hex', "bp-basic with a 'g' in r: refused", `${sig.slice(0, 20)}g${sig.slice(21)}`, 'not-hex'),
    refused('bp-no-prefix', 'bp-basic without 0x: refused', sig.slice(2), 'missing-0x-prefix'),
    refused('bp-r-zero', 'r = 0: refused (ecrecover returns 0)', sigFrom(0n, s, v), 'r-out-of-range'),
    refused('bp-r-n', 'r = n (the group order): refused', sigFrom(N, s, v), 'r-out-of-range'),
    refused('bp-s-zero', 's = 0: refused', sigFrom(r, 0n, v), 's-out-of-range'),
    refused('bp-s-n', 's = n: refused', sigFrom(r, N, v), 's-out-of-range'),
    refused('bp-r-not-on-curve', 'r = 5, which is no x coordinate on the curve: nothing recovers', sigFrom(R_NOT_ON_CURVE, s, 27), 'recovery-failed'),
    refused(
      'bp-infinity',
      'r, s built so that recovery yields the point at infinity: nothing recovers',
      sigRecoveringToInfinity(balanceMessageHash(base)),
      'recovery-failed',
    ),
  ];
}

function closingSignatures(): SignatureVector<'sender'>[] {
  const base: ClosingMessage = { sender: SENDER, openBlock: 1234567, balance: 10n ** 18n, contract: CONTRACT };
  const sig = signClosing(RECEIVER_KEY, base);
  const zero = { ...base, balance: 0n };
  const max = { ...base, openBlock: MAX_UINT32, balance: MAX_UINT192 };
  return [
    closingVector('cs-basic', 'closing of 1 token at open block 1234567, signed by the receiver', base, sig, RECEIVER),
    closingVector('cs-balance-zero', 'closing at balance 0', zero, signClosing(RECEIVER_KEY, zero), RECEIVER),
    closingVector('cs-max', 'open block 2^32 − 1 and balance 2^192 − 1', max, signClosing(RECEIVER_KEY, max), RECEIVER),
    closingVector('cs-raw-v', 'cs-basic with v as the raw recovery id (0/1)', base, withV(sig, sigParts(sig).v - 27), RECEIVER),
    closingVector('cs-high-s', 'cs-basic as its high-s twin: accepted', base, toHighS(sig), RECEIVER),
    closingVector(
      'cs-sender-proof',
      'the sender signing the closing message: recovers the sender, which a contract then compares with the receiver',
      base,
      signClosing(SENDER_KEY, base),
      SENDER,
    ),
    closingVector('cs-v29', 'cs-basic with v = 29: refused', base, withV(sig, 29), 'invalid-v'),
    closingVector('cs-v37', 'cs-basic with v = 37: refused', base, withV(sig, 37), 'invalid-v'),
    closingVector('cs-64-bytes', 'cs-basic without v: refused', base, sig.slice(0, 130), 'wrong-length'),
  ];
}

function channelKeys(): Vectors['channelKeys'] {
  const cases: [string, Address, Address, number][] = [
    ['key-block-0', SENDER, RECEIVER, 0],
    ['key-block-1', SENDER, RECEIVER, 1],
    ['key-block-1234567', SENDER, RECEIVER, 1234567],
    ['key-block-max', SENDER, RECEIVER, MAX_UINT32],
    ['key-swapped', RECEIVER, SENDER, 1234567],
  ];
  return cases.map(([id, sender, receiver, openBlock]) => ({ id, sender, receiver, openBlock, key: channelKey(sender, receiver, openBlock) }));
}

function erc223Data(): Vectors['erc223Data'] {
  return [
    { id: 'open', kind: 'open', sender: SENDER, receiver: RECEIVER, data: encodeOpenData(SENDER, RECEIVER) },
    { id: 'top-up-1234567', kind: 'topUp', sender: SENDER, receiver: RECEIVER, openBlock: 1234567, data: encodeTopUpData(SENDER, RECEIVER, 1234567) },
    { id: 'top-up-max', kind: 'topUp', sender: SENDER, receiver: RECEIVER, openBlock: MAX_UINT32, data: encodeTopUpData(SENDER, RECEIVER, MAX_UINT32) },
  ];
}

export function buildVectors(): Vectors {
  return {
    description: 'µRaiden §1 test vectors from uraiden-kit; format in fixtures/README.md. Generated by `npm run vectors`.',
    keys: [
      { name: 'sender', privateKey: SENDER_KEY, address: SENDER },
      { name: 'receiver', privateKey: RECEIVER_KEY, address: RECEIVER },
    ],
    contract: CONTRACT,
    schemaHashes: { balanceProof: BALANCE_PROOF_SCHEMA_HASH, closing: CLOSING_SCHEMA_HASH },
    balanceProofs: balanceProofs(),
    closingSignatures: closingSignatures(),
    channelKeys: channelKeys(),
    erc223Data: erc223Data(),
  };
}

export function renderVectors(): string {
  return `${JSON.stringify(buildVectors(), null, 2)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(VECTORS_PATH, renderVectors());
  console.log(`wrote ${VECTORS_PATH}`);
}

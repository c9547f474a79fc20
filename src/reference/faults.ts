/**
 * Deliberate protocol violations the reference receiver can be started with, one per switch.
 *
 * They exist for one purpose: to prove that the conformance suite catches a broken server. Each
 * fault is a bug seen (or easy to make) in real µRaiden servers; the suite's self-test starts the
 * reference proxy with one of them and expects at least one named case to fail. Never enable them
 * in a server that takes real payments: the CLI refuses to start quietly with one set.
 *
 * This module names them (cheap to load: the CLI parses URAIDEN_FAULT at start); faulty-receiver.ts
 * builds them. Internal to the kit: no entry point exports either.
 */
import { UraidenError } from '../protocol/errors.js';

export const FAULTS = {
  'no-signature-check': 'accepts a balance proof without checking who signed it (§3.2 step 7)',
  'decreasing-balance': 'accepts a proof whose balance is lower than the registered one (§3.2 step 8)',
  underpayment: 'accepts an increment smaller than the price (§3.2 step 8)',
  'contract-not-checked': 'verifies the proof against the contract the request names, not its own (§1.2)',
  'confirmations-ignored': 'treats channels and top-ups as confirmed as soon as they are mined (§4)',
  'no-dispute': 'never disputes a close request that claims less than the registered balance (§4)',
  'closed-channel-served': 'keeps serving channels with a close request or a closing signature (§3.2 step 6)',
  'no-502': 'answers 402 instead of 502 while it cannot watch the chain (§3.2 step 1)',
  'v35-accepted': 'accepts signatures with an EIP-155 style v of 35 or more (§1.4)',
  'double-serve': 'checks and registers a payment non-atomically, so concurrent requests share one increment (§3.2 step 10)',
  'unconfirmed-topups': 'counts a top-up as soon as it is mined, before its confirmations (§3.2 step 9, §4)',
  'replay-by-signature': 'takes a proof it has not seen byte for byte as new, so another signature of the registered balance pays again (§3.2 step 8)',
  'prefixed-signatures': 'also accepts balance proofs signed with the eth_sign prefix, which the contract rejects (§1.3)',
  'cookies-ignored': 'ignores the payment cookies of browser clients, so a browser cannot pay (§3.1)',
} as const;

export type Fault = keyof typeof FAULTS;

export class UnknownFaultError extends UraidenError {
  readonly value: string;
  constructor(value: string) {
    super('UNKNOWN_FAULT', `unknown fault "${value}"; known: ${Object.keys(FAULTS).join(', ')}`);
    this.value = value;
  }
}

/** Parses a comma-separated list (the URAIDEN_FAULT environment variable). */
export function parseFaults(value: string | undefined): ReadonlySet<Fault> {
  const faults = new Set<Fault>();
  for (const name of (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(name in FAULTS)) throw new UnknownFaultError(name);
    faults.add(name as Fault);
  }
  return faults;
}

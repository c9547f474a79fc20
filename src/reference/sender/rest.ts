/**
 * The one §5 call the sender makes: DELETE {gateway}/channels/<sender>/<open_block> to ask the
 * receiver for a closing signature, authenticated by the sender's own signature over the §1.3
 * closing message (without it anyone could freeze the sender's channel).
 */
import { signClosing } from '../../protocol/signature.js';
import type { Address, Hex } from '../../protocol/types.js';
import { CloseRefusedError, SenderFailure } from './errors.js';

export interface CloseRequest {
  gateway: string;
  sender: Address;
  openBlock: number;
  balance: bigint;
  contract: Address;
  privateKey: Hex;
  timeoutMs?: number;
}

/** The receiver's `close_signature` (not yet verified: the caller checks who signed it). */
export async function requestClosingSignature(req: CloseRequest): Promise<string> {
  const senderSignature = signClosing(req.privateKey, { sender: req.sender, openBlock: req.openBlock, balance: req.balance, contract: req.contract });
  const url = `${req.gateway.replace(/\/+$/, '')}/channels/${req.sender}/${req.openBlock}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      // A decimal string: amounts exceed 2^53 (§5).
      body: JSON.stringify({ balance: req.balance.toString(), sender_signature: senderSignature }),
      signal: AbortSignal.timeout(req.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new SenderFailure('GATEWAY_UNREACHABLE', `DELETE ${url}: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.status >= 500) throw new SenderFailure('GATEWAY_ERROR', `DELETE ${url}: ${res.status} ${text.slice(0, 200)}`);
  if (res.status !== 200) {
    const reason = typeof (body as { error?: unknown })?.error === 'string' ? (body as { error: string }).error : text.slice(0, 200);
    throw new CloseRefusedError(res.status, reason, req.balance);
  }
  const sig = (body as { close_signature?: unknown })?.close_signature;
  if (typeof sig !== 'string') throw new CloseRefusedError(res.status, `no close_signature in the reply: ${text.slice(0, 200)}`, req.balance);
  return sig;
}

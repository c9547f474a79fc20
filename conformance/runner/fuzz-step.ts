// The `fuzz` step: sends a stream of malformed requests (fuzz.ts) over one keep-alive connection
// and judges every answer by the same rules — never a 5xx, never a dropped connection, never a
// 2xx for a payment or a close request — stopping at the first that breaks one. Whether anything
// was registered shows in the case's next honest payment (served at the balance the runner
// expects only if none of the stream's requests moved it).
import { Agent } from 'node:http';
import { ChainClient } from './chain.js';
import { CaseAbort, channel, Mismatch, priceOf, type Ctx } from './context.js';
import { clip } from './expect.js';
import { fuzzRequests, type FuzzBase } from './fuzz.js';
import { TransportError, type Exchange, type HttpResponse } from './http.js';
import { exchange } from './requests.js';
import { balanceHash, closingHash, signHash } from './sign.js';
import type { FuzzAction } from './types.js';

/** The paywalled resource a fuzz stream pays for, unless the step names one. */
export const FUZZ_PATH = '/echofix/fuzz';

function base(ctx: Ctx, a: FuzzAction): FuzzBase {
  const ch = channel(ctx, a.channel);
  const { chain } = ctx.env;
  const path = a.path ?? FUZZ_PATH;
  const price = priceOf(path);
  const proof = balanceHash(chain.receiver, ch.openBlock, ch.balance + price, chain.contract);
  const stranger = ChainClient.partyKey(ctx.env.salt, ctx.c.id, 'fuzz-stranger');
  const closes = new Map<bigint, string>();
  return {
    path,
    sender: ch.sender.address,
    receiver: chain.receiver,
    contract: chain.contract,
    openBlock: ch.openBlock,
    registered: ch.balance,
    price,
    signature: signHash(ch.sender.key, proof),
    strangerSignature: signHash(stranger, proof),
    closeSignature(balance) {
      let s = closes.get(balance);
      if (s === undefined) {
        s = signHash(ch.sender.key, closingHash(ch.sender.address, ch.openBlock, balance, chain.contract));
        closes.set(balance, s);
      }
      return s;
    },
  };
}

function verdict(res: HttpResponse, mayServe: boolean, stream: FuzzAction['stream']): string | undefined {
  const body = res.body.trim() ? ` (body: ${clip(res.body, 120)})` : '';
  if (res.status >= 500) return `answered ${res.status}${body}: a malformed request is refused with a 4xx, never a 5xx (§3.2 step 3, §5)`;
  if (res.status >= 200 && res.status < 300 && !mayServe)
    return stream.startsWith('rest')
      ? `answered ${res.status}${body}: a malformed close request got an answer meant for a valid one (§5: 400 or 404)`
      : `answered ${res.status}: a malformed payment was served (§3.2)`;
  return undefined;
}

export async function fuzzStep(ctx: Ctx, a: FuzzAction): Promise<void> {
  const where = `fuzz ${a.stream}, seed ${a.seed}`;
  const statuses = new Map<number, number>();
  // One connection for the whole stream: thousands of tiny requests cost little over keep-alive.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    let n = 0;
    for (const f of fuzzRequests(a.stream, a.seed, a.count, base(ctx, a))) {
      n++;
      if (ctx.signal.aborted) throw new CaseAbort('aborted');
      const sink: Exchange[] = [];
      let res: HttpResponse;
      try {
        res = await exchange(ctx, f.request, sink, agent);
      } catch (err) {
        if (!(err instanceof TransportError) || ctx.signal.aborted) throw err;
        // The target was answering the request before: this one broke it (a crash, a hang).
        ctx.exchanges.push(...sink);
        throw new Mismatch([
          `request ${n} of ${a.count} (${where}): ${f.what}: no answer (${err.reason}); a malformed request must be refused, not break the target`,
        ]);
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const problem = verdict(res, f.mayServe, a.stream);
      if (problem) {
        ctx.exchanges.push(...sink);
        throw new Mismatch([`request ${n} of ${a.count} (${where}): ${f.what}: ${problem}`]);
      }
    }
  } finally {
    agent.destroy();
  }
  const answers = [...statuses.entries()].sort(([x], [y]) => x - y).map(([s, c]) => `${s} ×${c}`);
  ctx.notes.push(`${where}: ${a.count} requests, answered ${answers.join(', ')}`);
}

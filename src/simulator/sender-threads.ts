/**
 * The senders' clients shared out over worker threads, so that paying uses more than one core:
 * each thread owns a contiguous slice of the senders (their clients, keys and stores) and pays
 * their requests; the chain and the receiver stay in this thread. A client in a thread reaches
 * both through messages: its JSON-RPC requests are answered here by the chain's gateway
 * (`chain.ganache`, through client-chain.ts), its HTTP requests by the proxy's `app.inject()`. This thread only ever
 * awaits, so ganache's event loop is never blocked (FACTS: a blocked loop hangs it).
 *
 * The results do not depend on the number of threads: the chain phase still acts one sender at a
 * time, in order (each call is awaited before the next), and payments change no chain state; the
 * outcomes come back in sender order (test/simulator/threads.test.ts runs both ways).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import type { Chain } from '../sim/chain.js';
import type { Eip1193Provider } from '../sim/gateway.js';
import { clientChain, clientProvider } from './client-chain.js';
import { SimulationError } from './errors.js';
import { inject, injectFetch, type InjectedRequest } from './inject-fetch.js';
import { createLocalSenders, type PaymentOutcome, type PaymentWork, type Senders, type SendersSetup } from './senders.js';

// sender-thread.js next to this file in the package; sender-thread.ts when the sources run
// through tsx, which the thread then registers first (Node 20 does not apply `--import tsx` to a
// worker's own entry module).
const HERE = fileURLToPath(import.meta.url);
const FROM_SOURCE = HERE.endsWith('.ts');
const THREAD = path.join(path.dirname(HERE), FROM_SOURCE ? 'sender-thread.ts' : 'sender-thread.js');
const THREAD_SOURCE = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(pathToFileURL(THREAD).href)}); })`;

/** Between this thread and a sender thread. */
export type ToThread =
  | { kind: 'call'; id: number; op: keyof Senders; args: unknown[]; head?: string }
  | { kind: 'rpc-result'; id: number; result?: unknown; error?: RpcErrorData }
  | { kind: 'http-result'; id: number; status: number; headers: [string, string][]; body: Uint8Array | null; error?: string };
export type FromThread =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; value?: unknown; error?: string }
  | { kind: 'rpc'; id: number; method: string; params: unknown }
  | { kind: 'http'; id: number; request: InjectedRequest };

/** What the chain's error carried that ethers reads (revert data, code). */
export interface RpcErrorData {
  message: string;
  code?: unknown;
  data?: unknown;
}

/**
 * The run's senders: in this thread when `threads` is 0, else over that many worker threads (no
 * more than there are senders).
 */
export async function startSenders(opts: { chain: Chain; app: () => FastifyInstance; setup: SendersSetup; threads: number }): Promise<Senders> {
  const { app, setup } = opts;
  const chain = clientChain(opts.chain.ganache, setup.contractInfo.contract);
  const threads = Math.min(opts.threads, setup.senders.length);
  if (threads <= 0) return createLocalSenders(setup, clientProvider(chain, setup.contractInfo.chainId), injectFetch(app));
  const size = Math.ceil(setup.senders.length / threads);
  const slices = Array.from({ length: threads }, (_, t) => setup.senders.slice(t * size, (t + 1) * size)).filter((s) => s.length > 0);
  const owner = new Map<number, number>();
  slices.forEach((slice, t) => {
    for (const s of slice) owner.set(s.index, t);
  });
  const started = await Promise.allSettled(slices.map((senders) => startThread(chain, app, { ...setup, senders })));
  const handles = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(handles.map((h) => h.stop()));
    throw (failed as PromiseRejectedResult).reason;
  }

  /** Splits items by the thread owning their sender, calls each thread with its share, and puts the answers back in order. */
  const spread = async <T extends { index: number }, R>(items: T[], op: keyof Senders): Promise<R[]> => {
    const shares = handles.map(() => [] as number[]);
    items.forEach((item, i) => {
      shares[owner.get(item.index)!]!.push(i);
    });
    const out: R[] = new Array(items.length);
    await Promise.all(
      shares.map(async (positions, t) => {
        if (positions.length === 0) return;
        // An operation with nothing to answer (noteDeposits) gives undefined.
        const answers = (await handles[t]!.call(op, [positions.map((i) => items[i]!)], op === 'pay' ? head : undefined)) as R[] | undefined;
        positions.forEach((p, k) => {
          out[p] = answers?.[k] as R;
        });
      }),
    );
    return out;
  };
  const one = (index: number, op: keyof Senders, args: unknown[]) => handles[owner.get(index)!]!.call(op, [index, ...args]);
  let head: string | undefined;

  return {
    channels: (which) => spread(which, 'channels'),
    closeUncooperatively: (index, receiver, openBlock, balance) =>
      one(index, 'closeUncooperatively', [receiver, openBlock, balance]) as Promise<{ settleBlock: number }>,
    settleIfClosing: async (index, receiver, openBlock) => {
      await one(index, 'settleIfClosing', [receiver, openBlock]);
    },
    noteDeposits: async (deposits) => {
      await spread(deposits, 'noteDeposits');
    },
    async pay(work: PaymentWork[]) {
      // Payments mine nothing: the head they all ask for (each client syncs before it pays) is
      // told once instead of asked across threads a thousand times (sender-thread.ts).
      head = (await chain.request({ method: 'eth_blockNumber', params: [] })) as string;
      try {
        return await spread<PaymentWork, PaymentOutcome>(work, 'pay');
      } finally {
        head = undefined;
      }
    },
    async close() {
      await Promise.all(handles.map((h) => h.stop()));
    },
  };
}

interface ThreadHandle {
  /** `head`: the chain's head (hex) for the call's duration, when nothing it does can mine */
  call(op: keyof Senders, args: unknown[], head?: string): Promise<unknown>;
  /** closes the clients and ends the thread */
  stop(): Promise<void>;
}

function startThread(chain: Eip1193Provider, app: () => FastifyInstance, setup: SendersSetup): Promise<ThreadHandle> {
  const worker = FROM_SOURCE ? new Worker(THREAD_SOURCE, { eval: true, workerData: setup }) : new Worker(THREAD, { workerData: setup });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let dead: Error | undefined;
  const post = (msg: ToThread, transfer: ArrayBuffer[] = []) => worker.postMessage(msg, transfer);
  const failAll = (err: Error) => {
    dead ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const handle: ThreadHandle = {
    call(op, args, head) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ kind: 'call', id, op, args, ...(head !== undefined && { head }) });
      });
    },
    async stop() {
      if (!dead) await handle.call('close', []).catch(() => undefined);
      dead ??= new SimulationError(-1, 'sender thread stopped');
      await worker.terminate();
    },
  };
  return new Promise((resolve, reject) => {
    worker.on('message', (msg: FromThread) => {
      switch (msg.kind) {
        case 'ready':
          resolve(handle);
          return;
        case 'result': {
          const p = pending.get(msg.id);
          pending.delete(msg.id);
          if (msg.error !== undefined) p?.reject(new SimulationError(-1, `sender thread: ${msg.error}`));
          else p?.resolve(msg.value);
          return;
        }
        case 'rpc':
          chain.request({ method: msg.method, params: msg.params }).then(
            (result) => post({ kind: 'rpc-result', id: msg.id, result }),
            (err: { message?: string; code?: unknown; data?: unknown }) =>
              post({ kind: 'rpc-result', id: msg.id, error: { message: String(err?.message ?? err), code: err?.code, data: err?.data } }),
          );
          return;
        case 'http':
          inject(app(), msg.request).then(
            // The body is a copy of its own (inject.ts): moved to the thread, not copied again.
            (res) => post({ kind: 'http-result', id: msg.id, ...res }, res.body ? [res.body.buffer as ArrayBuffer] : []),
            (err: Error) => post({ kind: 'http-result', id: msg.id, status: 0, headers: [], body: null, error: err.message }),
          );
          return;
      }
    });
    worker.once('error', (err) => {
      failAll(new SimulationError(-1, `sender thread failed: ${err.message}`, { cause: err }));
      reject(err);
    });
    worker.once('exit', (code) => {
      const err = new SimulationError(-1, `sender thread exited (${code})`);
      failAll(err);
      reject(err);
    });
  });
}

/**
 * A sender thread (started by sender-threads.ts): the clients of a slice of the senders, whose
 * JSON-RPC requests and HTTP requests go to the main thread as messages — the chain and the
 * receiver live there. Answers the main thread's calls with the Senders operations.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { clientProvider } from './client-chain.js';
import { fetchVia, type InjectedResponse } from './inject-fetch.js';
import { createLocalSenders, type Senders, type SendersSetup } from './senders.js';
import type { FromThread, RpcErrorData, ToThread } from './sender-threads.js';

const port = parentPort!;
const setup = workerData as SendersSetup;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
let nextId = 0;

function ask<T>(msg: (id: number) => FromThread): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    port.postMessage(msg(id));
  });
}

/**
 * The chain's head while the main thread says it cannot move (during `pay`: payments mine
 * nothing), so the clients' many eth_blockNumber calls need no round trip. Forgotten at once
 * if a client sends anything that could mine.
 */
let knownHead: string | undefined;
const MAY_MINE = /^(eth_send|personal_send|evm_|miner_)/;

/** An EIP-1193 provider whose requests the main thread's chain answers. */
const bridge = {
  request: ({ method, params }: { method: string; params?: unknown }) => {
    if (method === 'eth_blockNumber' && knownHead !== undefined) return Promise.resolve(knownHead);
    if (MAY_MINE.test(method)) knownHead = undefined;
    return ask<unknown>((id) => ({ kind: 'rpc', id, method, params: params ?? [] }));
  },
};
const provider = clientProvider(bridge, setup.contractInfo.chainId);
const fetchImpl = fetchVia((request) => ask<InjectedResponse>((id) => ({ kind: 'http', id, request })));

let senders: Senders | undefined;

port.on('message', (msg: ToThread) => {
  if (msg.kind === 'call') {
    void (async () => {
      knownHead = msg.head;
      try {
        const op = senders![msg.op] as (...args: unknown[]) => Promise<unknown>;
        port.postMessage({ kind: 'result', id: msg.id, value: await op(...msg.args) } satisfies FromThread);
      } catch (err) {
        port.postMessage({ kind: 'result', id: msg.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies FromThread);
      } finally {
        knownHead = undefined;
      }
    })();
    return;
  }
  const w = waiting.get(msg.id);
  waiting.delete(msg.id);
  if (!w) return;
  if (msg.kind === 'rpc-result') {
    if (msg.error) w.reject(rpcError(msg.error));
    else w.resolve(msg.result);
  } else if (msg.error !== undefined) w.reject(new Error(`proxy: ${msg.error}`));
  else w.resolve({ status: msg.status, headers: msg.headers, body: msg.body } satisfies InjectedResponse);
});

/** The chain's error as ethers expects it from an EIP-1193 provider: message, code, data. */
function rpcError(e: RpcErrorData): Error {
  return Object.assign(new Error(e.message), { code: e.code, data: e.data });
}

senders = await createLocalSenders(setup, provider, fetchImpl);
port.postMessage({ kind: 'ready' } satisfies FromThread);

/**
 * The manager's only way to its chain: plain JSON-RPC. Over HTTP by default (the manager talks to
 * its node like any other program would), or through an injected provider for in-process speed.
 * Every HTTP call has a short timeout, so an outage is noticed within one poll instead of after
 * the minutes a default fetch would wait.
 */
import { RpcError } from './errors.js';

export interface Rpc {
  call<T = unknown>(method: string, params: unknown[]): Promise<T>;
}

/** Either an ethers JsonRpcApiProvider-like `send`, or an EIP-1193 `request` (ganache's provider). */
export type InjectedProvider =
  | { send(method: string, params: unknown[]): Promise<unknown> }
  | { request(args: { method: string; params?: unknown[] }): Promise<unknown> };

/**
 * eth_getLogs over thousands of blocks legitimately takes longer than a head check; it gets its own
 * (longer) limit so a slow but healthy node is not mistaken for an outage during a catch-up.
 */
const SLOW_METHODS = new Set(['eth_getLogs']);

export function httpRpc(url: string, timeoutMs: number, slowTimeoutMs = Math.max(timeoutMs, 10_000)): Rpc {
  let id = 0;
  return {
    async call<T>(method: string, params: unknown[]): Promise<T> {
      const limit = SLOW_METHODS.has(method) ? slowTimeoutMs : timeoutMs;
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
          signal: AbortSignal.timeout(limit),
        });
      } catch (err) {
        const error = new RpcError(method, `transport: ${describe(err)}`, undefined, { cause: err });
        error.timedOut = err instanceof Error && err.name === 'TimeoutError';
        throw error;
      }
      let body: { result?: unknown; error?: { code?: number; message?: string; data?: unknown } };
      try {
        body = (await response.json()) as typeof body;
      } catch (err) {
        throw new RpcError(method, `HTTP ${response.status}: not JSON`, undefined, { cause: err });
      }
      if (body.error) throw new RpcError(method, rpcMessage(body.error), body.error.code);
      if (!response.ok) throw new RpcError(method, `HTTP ${response.status}`);
      return body.result as T;
    },
  };
}

export function providerRpc(provider: InjectedProvider): Rpc {
  return {
    async call<T>(method: string, params: unknown[]): Promise<T> {
      try {
        if ('request' in provider) return (await provider.request({ method, params })) as T;
        return (await provider.send(method, params)) as T;
      } catch (err) {
        const e = err as { code?: unknown; message?: unknown; data?: unknown };
        throw new RpcError(method, describe(err), typeof e.code === 'number' ? e.code : undefined, { cause: err });
      }
    },
  };
}

function rpcMessage(error: { message?: string; data?: unknown }): string {
  const data = error.data as { reason?: string; message?: string } | undefined;
  const reason = data && typeof data === 'object' ? (data.reason ?? data.message) : undefined;
  return reason ? `${error.message ?? 'error'} (${reason})` : (error.message ?? JSON.stringify(error));
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const tail = cause instanceof Error && cause.message !== err.message ? `: ${cause.message}` : '';
    return `${err.message}${tail}`;
  }
  return String(err);
}

// ---------------------------------------------------------------- typed helpers

export interface RpcBlock {
  number: number;
  hash: string;
  parentHash: string;
}

export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  logIndex: number;
  removed?: boolean;
}

export interface RpcReceipt {
  status: number;
  blockNumber: number;
  transactionHash: string;
}

const hexNum = (n: number): string => `0x${n.toString(16)}`;

export async function blockNumber(rpc: Rpc): Promise<number> {
  return Number(BigInt(await rpc.call<string>('eth_blockNumber', [])));
}

export async function chainId(rpc: Rpc): Promise<number> {
  return Number(BigInt(await rpc.call<string>('eth_chainId', [])));
}

/** The block at `number` ('latest': the head), or undefined when the chain has no such block. */
export async function blockAt(rpc: Rpc, number: number | 'latest'): Promise<RpcBlock | undefined> {
  const b = await rpc.call<{ number: string; hash: string; parentHash: string } | null>('eth_getBlockByNumber', [
    number === 'latest' ? number : hexNum(number),
    false,
  ]);
  if (!b) return undefined;
  return { number: Number(BigInt(b.number)), hash: b.hash.toLowerCase(), parentHash: b.parentHash.toLowerCase() };
}

export async function getLogs(
  rpc: Rpc,
  filter: { address: string; fromBlock: number; toBlock: number; topics: (string | string[] | null)[] },
): Promise<RpcLog[]> {
  const raw = await rpc.call<
    { address: string; topics: string[]; data: string; blockNumber: string; blockHash: string; transactionHash: string; logIndex: string; removed?: boolean }[]
  >('eth_getLogs', [{ address: filter.address, fromBlock: hexNum(filter.fromBlock), toBlock: hexNum(filter.toBlock), topics: filter.topics }]);
  return raw
    .filter((l) => !l.removed)
    .map((l) => ({
      address: l.address,
      topics: l.topics.map((t) => t.toLowerCase()),
      data: l.data,
      blockNumber: Number(BigInt(l.blockNumber)),
      blockHash: l.blockHash.toLowerCase(),
      transactionHash: l.transactionHash.toLowerCase(),
      logIndex: Number(BigInt(l.logIndex)),
    }))
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

export async function ethCall(rpc: Rpc, to: string, data: string): Promise<string> {
  return rpc.call<string>('eth_call', [{ to, data }, 'latest']);
}

export async function balanceOf(rpc: Rpc, address: string): Promise<bigint> {
  return BigInt(await rpc.call<string>('eth_getBalance', [address, 'latest']));
}

export async function receipt(rpc: Rpc, txHash: string): Promise<RpcReceipt | undefined> {
  const r = await rpc.call<{ status: string; blockNumber: string; transactionHash: string } | null>('eth_getTransactionReceipt', [txHash]);
  if (!r) return undefined;
  return { status: Number(BigInt(r.status)), blockNumber: Number(BigInt(r.blockNumber)), transactionHash: r.transactionHash };
}

/**
 * The common dev-node methods of anvil and hardhat, answered by the kit chain's JSON-RPC server
 * where the semantics match its own, so tools written for those nodes drive it as they are:
 *
 *   anvil_mine / hardhat_mine [count, interval]   count blocks in one call (interval: only 1 — the
 *                                                   kit's clock advances one second per block)
 *   evm_setIntervalMining / anvil_setIntervalMining [seconds]   mine a block every `seconds`
 *                                                   (anvil's unit; 0 stops) — hardhat's unit is ms
 *   anvil_setBalance / hardhat_setBalance [address, wei]
 *   anvil_snapshot / anvil_revert [id]             = evm_snapshot / evm_revert
 *   anvil_reorg [depth, txs] or [{ depth, tx_block_pairs }]   = kit_reorg(depth): the replaced
 *                                                   blocks are empty; txs to re-include are refused
 *
 * What differs is refused with INVALID_PARAMS naming the value, never silently ignored.
 */
import type { ReorgResult } from './gateway.js';
import { INVALID_PARAMS, type RpcHandler, RpcRequestError } from './rpc-server.js';

export interface DevMethodsChain {
  request(method: string, params: unknown[]): Promise<unknown>;
  reorg(depth: number): Promise<ReorgResult>;
  setBlockTime(seconds: number): void;
}

/** A JSON-RPC quantity (0x-hex string) or a plain non-negative integer. */
function quantity(method: string, name: string, value: unknown): number {
  const n = typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value) ? Number(BigInt(value)) : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RpcRequestError(INVALID_PARAMS, `${method}: ${name} must be a non-negative integer (number or 0x-hex)`, value);
  return n;
}

export function devNodeMethods(chain: DevMethodsChain): Record<string, RpcHandler> {
  const mine: RpcHandler = async (params) => {
    const blocks = params[0] === undefined || params[0] === null ? 1 : quantity('anvil_mine', 'count', params[0]);
    if (params[1] !== undefined && params[1] !== null && quantity('anvil_mine', 'interval', params[1]) !== 1) {
      throw new RpcRequestError(INVALID_PARAMS, 'anvil_mine: this chain advances its clock one second per block; interval must be 1 or absent', params[1]);
    }
    if (blocks > 0) await chain.request('evm_mine', [{ blocks }]);
    return null;
  };
  const intervalMining: RpcHandler = async (params) => {
    chain.setBlockTime(quantity('evm_setIntervalMining', 'seconds', params[0]));
    return null;
  };
  const setBalance: RpcHandler = async (params) => {
    const [address, wei] = params;
    if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
      throw new RpcRequestError(INVALID_PARAMS, 'anvil_setBalance: address must be 0x and 40 hex digits', address);
    }
    const amount =
      typeof wei === 'string' && /^0x[0-9a-fA-F]+$/.test(wei)
        ? wei
        : typeof wei === 'number' && Number.isSafeInteger(wei) && wei >= 0
          ? `0x${wei.toString(16)}`
          : undefined;
    if (amount === undefined) throw new RpcRequestError(INVALID_PARAMS, 'anvil_setBalance: balance must be a non-negative integer (number or 0x-hex)', wei);
    await chain.request('evm_setAccountBalance', [address, amount]);
    return null;
  };
  const reorg: RpcHandler = async (params) => {
    const first = params[0];
    const options =
      first !== null && typeof first === 'object' ? (first as { depth?: unknown; tx_block_pairs?: unknown }) : { depth: first, tx_block_pairs: params[1] };
    const depth = quantity('anvil_reorg', 'depth', options.depth);
    if (depth < 1) throw new RpcRequestError(INVALID_PARAMS, 'anvil_reorg: depth must be at least 1', options.depth);
    if (Array.isArray(options.tx_block_pairs) ? options.tx_block_pairs.length > 0 : options.tx_block_pairs !== undefined && options.tx_block_pairs !== null) {
      throw new RpcRequestError(
        INVALID_PARAMS,
        "anvil_reorg: this chain's replacement blocks are empty; transactions to include are not supported",
        options.tx_block_pairs,
      );
    }
    await chain.reorg(depth);
    return null;
  };
  return {
    anvil_mine: mine,
    hardhat_mine: mine,
    evm_setIntervalMining: intervalMining,
    anvil_setIntervalMining: intervalMining,
    anvil_setBalance: setBalance,
    hardhat_setBalance: setBalance,
    anvil_snapshot: async () => chain.request('evm_snapshot', []),
    anvil_revert: async (params) => chain.request('evm_revert', params),
    anvil_reorg: reorg,
  };
}

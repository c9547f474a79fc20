/**
 * `uraiden-kit/chain`: the deterministic chain — ganache in this process, the kit's contracts
 * deployed, named accounts funded, blocks mined on demand, reorgs and outages on request — and
 * its JSON-RPC server with the kit's own methods (`kit_info`, `kit_reorg`, `kit_outage`).
 */
export { startChain, DEFAULT_TOKENS_PER_SENDER, GENESIS_TIME, type Chain, type ChainOptions, type Account } from './chain.js';
export {
  DEFAULT_SEED,
  DEFAULT_CHAIN_ID,
  DEFAULT_SENDERS,
  DEFAULT_CONFIRMATIONS,
  DEFAULT_POLL_INTERVAL_MS,
  MIN_CHALLENGE_PERIOD,
} from './defaults.js';
export { deriveAccounts, mnemonicFromSeed, type AccountKey, type AccountKeys } from './accounts.js';
export { targetEnvironment, type TargetEnvOptions, type TargetEnvInput } from './env.js';
export type { ReorgResult, Eip1193Provider } from './gateway.js';
export { startRpcServer, type RpcServer, type RpcServerOptions, type RpcHandler } from './rpc-server.js';
// For browser tests only: a wallet that signs with a given key (never one that holds anything).
export {
  createTestWallet,
  testWalletInitScript,
  typedDataV1Hash,
  ProviderRpcError,
  type TestWallet,
  type TestWalletOptions,
  type TestWalletScriptOptions,
} from './test-wallet.js';
// Every error a caller of this entry can receive.
export { ChainOptionError, ChainStateError, ReorgError, SnapshotError } from './errors.js';
export { RpcRequestError } from './rpc-server.js';
export { UraidenError } from '../protocol/errors.js';

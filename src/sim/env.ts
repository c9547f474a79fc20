/** The §6 target profile: the environment a launched implementation under test receives. */
import type { Address, Hex } from '../protocol/types.js';
import { ChainOptionError } from './errors.js';
import { DEFAULT_CONFIRMATIONS, DEFAULT_POLL_INTERVAL_MS } from './defaults.js';

export interface TargetEnvOptions {
  /** Where the target must listen (RDN_PORT). */
  port: number;
  /** The target's state directory, kept across restarts (RDN_STATE_DIR). */
  stateDir: string;
  confirmations?: number;
  pollIntervalMs?: number;
}

export interface TargetEnvInput extends TargetEnvOptions {
  rpcUrl: string;
  chainId: number;
  contract: Address;
  token: Address;
  receiverPrivateKey: Hex;
}

export function targetEnvironment(input: TargetEnvInput): Record<string, string> {
  const confirmations = input.confirmations ?? DEFAULT_CONFIRMATIONS;
  const pollIntervalMs = input.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  checkInteger('port', input.port, 0, 65535);
  checkInteger('confirmations', confirmations, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('pollIntervalMs', pollIntervalMs, 1, Number.MAX_SAFE_INTEGER);
  if (input.stateDir === '') throw new ChainOptionError('stateDir', input.stateDir, 'a directory path');
  return {
    RDN_RPC_URL: input.rpcUrl,
    RDN_CHAIN_ID: String(input.chainId),
    RDN_CONTRACT_ADDRESS: input.contract,
    RDN_TOKEN_ADDRESS: input.token,
    RDN_RECEIVER_PRIVATE_KEY: input.receiverPrivateKey,
    RDN_CONFIRMATIONS: String(confirmations),
    RDN_PORT: String(input.port),
    RDN_STATE_DIR: input.stateDir,
    RDN_POLL_INTERVAL_MS: String(pollIntervalMs),
  };
}

function checkInteger(option: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ChainOptionError(option, value, `an integer in [${min}, ${max}]`);
  }
}

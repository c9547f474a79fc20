/**
 * The compiled contracts (ABI and bytecode) of the kit: `RaidenMicroTransferChannels` (§2), the
 * test token and the delegate. `npm run build:contracts` compiles contracts/*.sol into
 * ./generated/artifacts.ts, so the package carries them as code and needs no file at run time.
 */
import { ARTIFACTS } from './generated/artifacts.js';

export type ContractName = keyof typeof ARTIFACTS;

/** One compiled contract, as solc produced it (settings recorded for reproducibility). */
export interface Artifact {
  readonly contractName: string;
  readonly sourceName: string;
  readonly abi: readonly unknown[];
  readonly bytecode: `0x${string}`;
  readonly deployedBytecode: `0x${string}`;
  /** byte ranges of deployedBytecode the constructor fills in (immutables) */
  readonly immutableRanges: readonly { readonly start: number; readonly length: number }[];
  readonly compiler: { readonly name: string; readonly version: string };
  readonly settings: Readonly<Record<string, unknown>>;
}

export const CONTRACT_NAMES = Object.keys(ARTIFACTS).sort() as ContractName[];

/** The artifact of one of the kit's contracts; its `abi` keeps its literal type for typed tools. */
export function artifact<N extends ContractName>(name: N): (typeof ARTIFACTS)[N] & Artifact {
  return ARTIFACTS[name] as (typeof ARTIFACTS)[N] & Artifact;
}

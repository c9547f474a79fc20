/**
 * Gives every sender its tokens with the test token's `mint`, batched (batch.ts): startChain's own
 * funding sends one mint per block with a gas estimate each, which dominates the start-up of a
 * population of a thousand senders.
 */
import type { Chain } from '../sim/chain.js';
import { sendBatch } from './batch.js';

/** A mint uses ≈ 51k gas (a fresh balance slot); the limit only has to be above that. */
const MINT_GAS = 100_000n;

export async function fundSenders(chain: Chain, amount: bigint): Promise<void> {
  const token = chain.addresses.token;
  await sendBatch(
    chain,
    chain.accounts.senders.map((s) => ({
      from: chain.accounts.deployer,
      to: token,
      data: chain.token.interface.encodeFunctionData('mint(address,uint256)', [s.address, amount]),
      gasLimit: MINT_GAS,
    })),
  );
}

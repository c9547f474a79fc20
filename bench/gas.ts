/**
 * `npm run bench:gas`: gas of every channel operation on ganache's default hardfork (shanghai),
 * next to µRaiden 0.2.0's figures (solc 0.4.17, no optimizer, same chain) and the ratio.
 * A figure, never an assertion: the tests check behaviour, this checks cost.
 *
 * Steady-state conditions, as on a contract in use: sender and receiver already hold tokens,
 * another channel keeps the contract's token balance above zero (emptying it would earn a
 * storage refund that flatters close/settle), the withdraw is the channel's first, and the
 * settled channel had no withdrawal.
 */
import { SigningKey, solidityPacked, solidityPackedKeccak256, keccak256, toUtf8Bytes, type ContractTransactionResponse } from 'ethers';
import { startChain, type Account, type Chain } from '../src/sim/chain.js';

/** Measured on the original contract (docs: /work/shared/FACTS.md and the task brief). */
const ORIGINAL: Record<string, number> = {
  'ERC223 open': 88194,
  'ERC20 approve + createChannel': 132497,
  'ERC223 topUp': 54651,
  'ERC20 approve + topUp': 98433,
  cooperativeClose: 63425,
  uncooperativeClose: 52725,
  settle: 51888,
  'withdraw (receiver holds tokens)': 76649,
};

const TOKEN = 10n ** 18n;

async function gas(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error('no receipt');
  return Number(receipt.gasUsed);
}

/** §1.2 / §1.3 message hash, signed raw (no prefix). */
function sign(key: string, messageId: string, counterparty: string, openBlock: number, balance: bigint, contract: string): string {
  const field = messageId.startsWith('Sender') ? 'address receiver' : 'address sender';
  const schema = keccak256(toUtf8Bytes(`string message_id${field}uint32 block_createduint192 balanceaddress contract`));
  const data = solidityPackedKeccak256(['string', 'address', 'uint32', 'uint192', 'address'], [messageId, counterparty, openBlock, balance, contract]);
  return new SigningKey(key).sign(keccak256(solidityPacked(['bytes32', 'bytes32'], [schema, data]))).serialized;
}

async function measure(chain: Chain): Promise<Record<string, number>> {
  const { token, channels, accounts } = chain;
  const receiver = accounts.receiver;
  const [a, b, idle] = accounts.senders as [Account, Account, Account];
  const contract = await channels.getAddress();
  const erc223 = (s: Account, value: bigint, data: string) => gas(token.connect(s.wallet)['transfer(address,uint256,bytes)'](contract, value, data));
  const openData = (s: Account) => `0x${s.address.slice(2)}${receiver.address.slice(2)}`;
  const topUpData = (s: Account, block: number) => `${openData(s)}${block.toString(16).padStart(8, '0')}`;
  const result: Record<string, number> = {};

  // The receiver already holds tokens, as a receiver that has been paid before does.
  await (await token['mint(address,uint256)'](receiver.address, TOKEN)).wait();

  // A channel that stays open throughout, so the contract's token balance never drops to zero.
  await erc223(idle, 1n * TOKEN, openData(idle));

  result['ERC223 open'] = await erc223(a, 10n * TOKEN, openData(a));
  const blockA = await chain.blockNumber();
  result['ERC223 topUp'] = await erc223(a, 5n * TOKEN, topUpData(a, blockA));

  const approveOpen = await gas(token.connect(b.wallet).approve(contract, 10n * TOKEN));
  result['ERC20 approve + createChannel'] = approveOpen + (await gas(channels.connect(b.wallet).createChannel(receiver.address, 10n * TOKEN)));
  const blockB = await chain.blockNumber();
  const approveTopUp = await gas(token.connect(b.wallet).approve(contract, 5n * TOKEN));
  result['ERC20 approve + topUp'] = approveTopUp + (await gas(channels.connect(b.wallet).topUp(receiver.address, blockB, 5n * TOKEN)));

  const proof = (s: Account, block: number, balance: bigint) =>
    sign(s.privateKey, 'Sender balance proof signature', receiver.address, block, balance, contract);
  result['withdraw (receiver holds tokens)'] = await gas(channels.connect(receiver.wallet).withdraw(blockA, 3n * TOKEN, proof(a, blockA, 3n * TOKEN)));

  const closingSig = sign(receiver.privateKey, 'Receiver closing signature', a.address, blockA, 7n * TOKEN, contract);
  result.cooperativeClose = await gas(
    channels.connect(a.wallet).cooperativeClose(receiver.address, blockA, 7n * TOKEN, proof(a, blockA, 7n * TOKEN), closingSig),
  );

  result.uncooperativeClose = await gas(channels.connect(b.wallet).uncooperativeClose(receiver.address, blockB, 4n * TOKEN));
  await chain.mine(chain.challengePeriod + 1);
  result.settle = await gas(channels.connect(b.wallet).settle(receiver.address, blockB));
  return result;
}

function table(measured: Record<string, number>): string {
  const rows = Object.entries(ORIGINAL).map(([name, original]) => {
    const ours = measured[name] ?? Number.NaN;
    const ratio = ours / original;
    return [name, String(ours), String(original), ratio.toFixed(3), ratio <= 1 ? '' : '  > 1.00'];
  });
  const head = ['operation', 'gas', 'µRaiden 0.2.0', 'ratio', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

const chain = await startChain({ challengePeriod: 500 });
try {
  console.log(table(await measure(chain)));
} finally {
  await chain.close();
}

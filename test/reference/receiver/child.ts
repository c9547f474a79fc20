/**
 * A manager in its own process, for the state tests: opens the state given as JSON in argv[2],
 * optionally registers one payment, prints one JSON line per step, then stays up until killed.
 */
import { openReceiver, memoryLogger } from '../../../src/reference/receiver/index.js';
import type { Payment } from '../../../src/reference/receiver/manager/types.js';

interface ChildConfig {
  rpcUrl: string;
  receiverPrivateKey: string;
  contract: string;
  stateFile: string;
  confirmations: number;
  payment?: { sender: `0x${string}`; openBlock: number; balance: string; signature: `0x${string}`; price: string };
}

const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const config = JSON.parse(process.argv[2]!) as ChildConfig;
try {
  const r = await openReceiver({ ...config, pollIntervalMs: 200, logger: memoryLogger() });
  say({ opened: true, pid: process.pid });
  if (config.payment) {
    const p = config.payment;
    const payment: Payment = { sender: p.sender, openBlock: p.openBlock, balance: BigInt(p.balance), signature: p.signature };
    const out = r.pay(payment, BigInt(p.price));
    say({ accepted: out.accepted, ...(out.accepted ? {} : { flag: out.flag, reason: out.reason }) });
  }
  setInterval(() => undefined, 1000);
} catch (err) {
  const e = err as { code?: string; message?: string };
  say({ error: e.code ?? 'unknown', message: e.message });
  process.exit(3);
}

/**
 * `uraiden client …`: the reference sender from the command line — pay for a URL, list, top up,
 * close and settle channels. Human output by default, `--json` for scripts.
 *
 * Exit codes (also in `uraiden client --help`):
 *   0  done (for `get`: the final response was 2xx/3xx)
 *   1  failure: chain or server unreachable, transaction failed, store unreadable, or `get`
 *      ended on another HTTP status
 *   2  bad usage: unknown option, malformed value, no key / RPC URL / contract
 *   3  refusal: the policy or the protocol said no (price above --max-price, budget, receiver not
 *      allowed, not enough tokens, proof refused by the server, confirmations never came, …)
 */
import { type Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ReplyHeaderError, toChecksumAddress } from '../protocol/index.js';
import type { SenderClient } from '../reference/sender/client.js';
import { SenderRefusal } from '../reference/sender/errors.js';
import type { DepositMethod, PaymentPolicy } from '../reference/sender/policy.js';
import { defaultStorePath, type StoredChannel } from '../reference/sender/store.js';
import { loadPrivateKey } from './keys.js';
import { USAGE_EXIT_CODE } from './options.js';

export const CLIENT_EXIT = { ok: 0, failure: 1, usage: USAGE_EXIT_CODE, refusal: 3 } as const;

const EXIT_HELP = `
Exit codes:
  0  done (get: the final response was 2xx or 3xx)
  1  failure: chain or server unreachable, transaction reverted, store unreadable,
     or get ended on another HTTP status
  2  bad usage: unknown option, malformed value, missing key / RPC URL / contract
  3  refusal: price above --max-price, budget spent, receiver not allowed, not enough
     tokens, proof refused by the server, confirmations never came, channel state

Key: --key (visible to other users in the process list: prefer the environment),
     env RDN_SENDER_PRIVATE_KEY, or --keystore <file> with the password in env
     RDN_KEYSTORE_PASSWORD. The key is never printed.
Chain: --rpc-url or env RDN_RPC_URL; contract: --contract or env RDN_CONTRACT_ADDRESS.
Store: --store, env RDN_SENDER_STORE, default ${defaultStorePath({})}
       (under $XDG_DATA_HOME when set).`;

interface CommonOptions {
  rpcUrl?: string;
  contract?: string;
  key?: string;
  keystore?: string;
  store?: string;
  json: boolean;
}

function usage(message: string): CommanderError {
  return new CommanderError(CLIENT_EXIT.usage, 'uraiden.client.usage', message);
}

function amountOption(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a non-negative decimal integer (token base units).');
  return BigInt(value);
}

function blockOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new InvalidArgumentError('not a block number.');
  return Number(value);
}

function addressArgument(value: string): string {
  try {
    return toChecksumAddress(value);
  } catch {
    throw new InvalidArgumentError('not an address (0x and 40 hex digits).');
  }
}

/** Options every subcommand takes, so they may follow the subcommand name. */
function withCommon(cmd: Command): Command {
  return cmd
    .option('--rpc-url <url>', 'Ethereum JSON-RPC endpoint (env RDN_RPC_URL)')
    .option('--contract <address>', 'RaidenMicroTransferChannels address (env RDN_CONTRACT_ADDRESS)')
    .option('--key <hex>', 'sender private key (prefer env RDN_SENDER_PRIVATE_KEY)')
    .option('--keystore <file>', 'encrypted JSON key file; password from env RDN_KEYSTORE_PASSWORD')
    .option('--store <file>', 'channel store file (env RDN_SENDER_STORE)')
    .option('--json', 'machine-readable output on stdout', false);
}

async function openClient(o: CommonOptions, policy: PaymentPolicy = {}): Promise<SenderClient> {
  const rpcUrl = o.rpcUrl ?? process.env['RDN_RPC_URL'];
  const contract = o.contract ?? process.env['RDN_CONTRACT_ADDRESS'];
  if (!rpcUrl) throw usage('no chain: give --rpc-url or env RDN_RPC_URL');
  if (!contract) throw usage('no contract: give --contract or env RDN_CONTRACT_ADDRESS');
  try {
    toChecksumAddress(contract);
  } catch {
    throw usage(`--contract ${JSON.stringify(contract)} is not an address`);
  }
  const privateKey = await loadPrivateKey({ key: o.key, keystore: o.keystore }, 'sender', 'RDN_SENDER_PRIVATE_KEY', 'uraiden.client.usage');
  // The client (ethers and its provider stack) loads only when a subcommand runs: --help stays fast.
  const { createSenderClient } = await import('../reference/sender/client.js');
  return createSenderClient({ privateKey, rpcUrl, contract, storePath: o.store ?? defaultStorePath(), policy });
}

/** Runs a subcommand body: output, exit code for refusals, and the provider closed so the process ends. */
async function run(o: CommonOptions, body: (print: Printer) => Promise<unknown>, clientRef: { client?: SenderClient }): Promise<void> {
  const print = printer(o.json);
  try {
    const code = await body(print);
    if (typeof code === 'number' && code !== 0) process.exitCode = code; // a body may return an exit code
  } catch (err) {
    if (err instanceof CommanderError) throw err; // usage: the program reports it (exit 2)
    const refusal = err instanceof SenderRefusal || err instanceof ReplyHeaderError;
    const e = err as Error & { code?: string };
    if (o.json) {
      print.json({ ok: false, kind: refusal ? 'refusal' : 'failure', code: e.code ?? e.name, error: e.message });
    } else {
      process.stderr.write(`uraiden client: ${refusal ? 'refused' : 'failed'}: ${e.message}\n`);
    }
    process.exitCode = refusal ? CLIENT_EXIT.refusal : CLIENT_EXIT.failure;
  } finally {
    clientRef.client?.close();
  }
}

interface Printer {
  json(value: unknown): void;
  line(text: string): void;
  info(text: string): void;
}

function printer(json: boolean): Printer {
  return {
    json: (value) => process.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`),
    line: (text) => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    // Notes for humans go to stderr, so stdout stays the content for `get`.
    info: (text) => {
      if (!json) process.stderr.write(`${text}\n`);
    },
  };
}

function channelJson(c: StoredChannel): Record<string, unknown> {
  return {
    receiver: c.receiver,
    open_block: c.openBlock,
    deposit: c.deposit.toString(),
    balance: c.balance.toString(),
    status: c.status,
    ...(c.settleBlock !== undefined && { settle_block: c.settleBlock }),
    ...(c.closingBalance !== undefined && { closing_balance: c.closingBalance.toString() }),
    ...(c.gateway !== undefined && { gateway: c.gateway }),
  };
}

function channelTable(channels: StoredChannel[]): string {
  const rows = [['RECEIVER', 'OPEN BLOCK', 'DEPOSIT', 'BALANCE', 'STATUS']];
  for (const c of channels) {
    const status = c.status === 'closing' ? `closing (settle after ${c.settleBlock})` : c.status;
    rows.push([c.receiver, String(c.openBlock), c.deposit.toString(), c.balance.toString(), status]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function registerClientCommand(program: Command): void {
  const client = program.command('client').description('the reference µRaiden sender: pay for URLs, manage its channels').addHelpText('after', EXIT_HELP);

  withCommon(client.command('get').argument('<url>', 'URL to fetch, paying a µRaiden 402 if asked'))
    .description('GET a URL; on a 402 open / top up a channel and pay the price')
    .option('--max-price <amount>', 'highest price accepted for the request', amountOption)
    .option('--deposit <amount>', 'deposit of a new channel (default 10 × price)', amountOption)
    .option('--topup <amount>', 'deposit added when the channel cannot cover the price (default 10 × price)', amountOption)
    .option('--max-spend <amount>', 'highest total this invocation pays', amountOption)
    .option('--receiver <address>', 'only pay this receiver (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), addressArgument(v)])
    .addOption(new Option('--deposit-method <method>', 'how deposits are made').choices(['erc223', 'approve']).default('erc223'))
    .addHelpText('after', EXIT_HELP)
    .action(
      async (
        url: string,
        o: CommonOptions & { maxPrice?: bigint; deposit?: bigint; topup?: bigint; maxSpend?: bigint; receiver?: string[]; depositMethod: DepositMethod },
      ) => {
        let parsed: URL;
        try {
          parsed = new URL(url);
        } catch {
          throw usage(`not a URL: ${JSON.stringify(url)}`);
        }
        const ref: { client?: SenderClient } = {};
        await run(
          o,
          async (print) => {
            const policy: PaymentPolicy = {
              depositMethod: o.depositMethod,
              ...(o.maxPrice !== undefined && { maxPrice: o.maxPrice }),
              ...(o.deposit !== undefined && { initialDeposit: o.deposit }),
              ...(o.topup !== undefined && { topUpAmount: o.topup }),
              ...(o.maxSpend !== undefined && { maxTotalSpend: o.maxSpend }),
              ...(o.receiver !== undefined && { allowedReceivers: o.receiver }),
            };
            const c = await openClient(o, policy);
            ref.client = c;
            const res = await c.fetch(parsed);
            const body = await res.text();
            const paid = c.spent;
            const last = c.lastPayment;
            const channel = last && c.channel(last.receiver, last.openBlock);
            if (o.json) {
              print.json({ ok: res.ok, url: parsed.href, status: res.status, paid: paid.toString(), body, ...(channel && { channel: channelJson(channel) }) });
            } else {
              process.stdout.write(body);
              if (paid > 0n && channel)
                print.info(`paid ${paid} on channel ${channel.receiver}@${channel.openBlock} (balance ${channel.balance} of ${channel.deposit})`);
              if (!res.ok) print.info(`HTTP ${res.status}`);
            }
            return res.status < 400 ? CLIENT_EXIT.ok : CLIENT_EXIT.failure;
          },
          ref,
        );
      },
    );

  withCommon(client.command('channels'))
    .description("list this sender's channels (rebuilt from chain events, balances from the store)")
    .option('--all', 'include settled channels', false)
    .action(async (o: CommonOptions & { all: boolean }) => {
      const ref: { client?: SenderClient } = {};
      await run(
        o,
        async (print) => {
          const c = await openClient(o);
          ref.client = c;
          const list = c.channels().filter((ch) => o.all || ch.status !== 'settled');
          if (o.json) print.json({ ok: true, sender: c.address, contract: c.contract, channels: list.map(channelJson) });
          else print.line(list.length === 0 ? `no channels for ${c.address}` : channelTable(list));
        },
        ref,
      );
    });

  withCommon(client.command('open').argument('<receiver>', 'receiver address', addressArgument).argument('<deposit>', 'deposit', amountOption))
    .description('open a channel')
    .addOption(new Option('--deposit-method <method>', 'how the deposit is made').choices(['erc223', 'approve']).default('erc223'))
    .action(async (receiver: string, deposit: bigint, o: CommonOptions & { depositMethod: DepositMethod }) => {
      const ref: { client?: SenderClient } = {};
      await run(
        o,
        async (print) => {
          const c = await openClient(o);
          ref.client = c;
          const ch = await c.openChannel(receiver, deposit, { method: o.depositMethod });
          if (o.json) print.json({ ok: true, channel: channelJson(ch) });
          else print.line(`opened channel ${ch.receiver}@${ch.openBlock} with deposit ${ch.deposit}`);
        },
        ref,
      );
    });

  withCommon(
    client
      .command('topup')
      .argument('<receiver>', 'receiver address', addressArgument)
      .argument('<open_block>', 'open block', blockOption)
      .argument('<amount>', 'tokens to add', amountOption),
  )
    .description("add to a channel's deposit")
    .addOption(new Option('--deposit-method <method>', 'how the deposit is made').choices(['erc223', 'approve']).default('erc223'))
    .action(async (receiver: string, openBlock: number, amount: bigint, o: CommonOptions & { depositMethod: DepositMethod }) => {
      const ref: { client?: SenderClient } = {};
      await run(
        o,
        async (print) => {
          const c = await openClient(o);
          ref.client = c;
          const ch = await c.topUp(receiver, openBlock, amount, { method: o.depositMethod });
          if (o.json) print.json({ ok: true, channel: channelJson(ch) });
          else print.line(`channel ${ch.receiver}@${ch.openBlock}: deposit now ${ch.deposit}`);
        },
        ref,
      );
    });

  withCommon(client.command('close').argument('<receiver>', 'receiver address', addressArgument).argument('<open_block>', 'open block', blockOption))
    .description("close a channel: cooperatively through the receiver's gateway (default), or --uncooperative")
    .option('--uncooperative', 'request the close on chain; settle after the challenge period', false)
    .option('--balance <amount>', 'with --uncooperative: the balance to claim (default: the last one signed)', amountOption)
    .option('--gateway <url>', "the receiver's REST API root, e.g. http://host:port/api/1 (default: learnt from its 402s)")
    .action(async (receiver: string, openBlock: number, o: CommonOptions & { uncooperative: boolean; balance?: bigint; gateway?: string }) => {
      if (o.balance !== undefined && !o.uncooperative) throw usage('--balance is only for --uncooperative (a cooperative close is at the registered balance)');
      const ref: { client?: SenderClient } = {};
      await run(
        o,
        async (print) => {
          const c = await openClient(o);
          ref.client = c;
          if (o.uncooperative) {
            const r = await c.closeUncooperatively(receiver, openBlock, o.balance !== undefined ? { balance: o.balance } : {});
            if (o.json)
              print.json({
                ok: true,
                mode: 'uncooperative',
                receiver: r.receiver,
                open_block: r.openBlock,
                balance: r.balance,
                settle_block: r.settleBlock,
                tx: r.txHash,
              });
            else print.line(`close requested for ${r.receiver}@${r.openBlock} at balance ${r.balance}; settle after block ${r.settleBlock}`);
          } else {
            const r = await c.closeCooperatively(receiver, openBlock, o.gateway !== undefined ? { gateway: o.gateway } : {});
            if (o.json) print.json({ ok: true, mode: 'cooperative', receiver: r.receiver, open_block: r.openBlock, balance: r.balance, tx: r.txHash });
            else print.line(`closed ${r.receiver}@${r.openBlock} cooperatively at balance ${r.balance}`);
          }
        },
        ref,
      );
    });

  withCommon(client.command('settle').argument('<receiver>', 'receiver address', addressArgument).argument('<open_block>', 'open block', blockOption))
    .description('settle a channel whose challenge period is over')
    .action(async (receiver: string, openBlock: number, o: CommonOptions) => {
      const ref: { client?: SenderClient } = {};
      await run(
        o,
        async (print) => {
          const c = await openClient(o);
          ref.client = c;
          const r = await c.settle(receiver, openBlock);
          if (o.json)
            print.json({ ok: true, receiver: r.receiver, open_block: r.openBlock, balance: r.balance, receiver_tokens: r.receiverTokens, tx: r.txHash });
          else print.line(`settled ${r.receiver}@${r.openBlock} at balance ${r.balance} (receiver got ${r.receiverTokens})`);
        },
        ref,
      );
    });
}

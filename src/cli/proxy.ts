/**
 * `uraiden proxy`: the reference receiver (channel manager + paywalled proxy + REST API) as a
 * process, configured exactly as a §6 conformance target is, by the RDN_* variables, or by flags
 * (which win). `uraiden proxy withdraw` and `uraiden proxy close-all` run the receiver's chain
 * commands on the same state and print what was done.
 *
 * Exit codes (program.ts turns thrown errors into one line on stderr): 0 done / stopped by a
 * signal, 1 a runtime failure (chain unreachable at start, state of another receiver), 2 a bad
 * option value. The private key is never printed, not even in an error about itself.
 */
import { parseFaults, UnknownFaultError, type Fault } from '../reference/faults.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { UraidenError, isAddress, signatureBackend, toChecksumAddress } from '../protocol/index.js';
import type { Address, Hex } from '../protocol/index.js';
// Types only: the receiver (SQLite, RPC) and the proxy (fastify) load when a proxy command runs,
// so every other `uraiden` subcommand starts without them.
import type { PaywalledProxy, Receiver } from '../reference/receiver/index.js';
import { httpUrl, integerOption, USAGE_EXIT_CODE } from './options.js';

/** Bad configuration: printed as one line, exit 2. */
export class ProxyCliError extends UraidenError {
  readonly option: string;

  constructor(option: string, message: string) {
    super('PROXY_CLI', `${option}: ${message}`);
    this.option = option;
  }
}

/** The state file inside RDN_STATE_DIR (§6: the directory is the target's to use). */
export const STATE_FILE_NAME = 'receiver.sqlite';
/** §4: the kit's default number of confirmations (also the manager's default). */
export const DEFAULT_CONFIRMATIONS = 5;
/** The original µRaiden proxy's port, used when neither --port nor RDN_PORT is given. */
export const DEFAULT_PORT = 5000;

export interface ReceiverCliConfig {
  rpcUrl: string;
  chainId?: number;
  contract: Address;
  token?: Address;
  receiverPrivateKey: Hex;
  confirmations: number;
  stateDir: string;
  pollIntervalMs?: number;
  ethFloor?: bigint;
  /** URAIDEN_FAULT: deliberate protocol violations for the conformance self-test (never a flag) */
  faults: ReadonlySet<Fault>;
}

export interface ProxyCliConfig extends ReceiverCliConfig {
  port: number;
  host: string;
  gatewayPath: string;
}

// ----- option parsers (commander calls them for flag and env values alike) -----

function address(value: string): Address {
  if (!isAddress(value)) throw new InvalidArgumentError('expected 0x and 40 hex digits');
  return toChecksumAddress(value);
}

/** ETH amount as decimal ether ("0.05") → wei. */
function ether(value: string): bigint {
  const m = /^([0-9]+)(?:\.([0-9]{1,18}))?$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected a decimal amount of ether, e.g. 0.05');
  return BigInt(m[1]!) * 10n ** 18n + BigInt((m[2] ?? '').padEnd(18, '0'));
}

function tokenAmount(value: string): bigint {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('expected a decimal amount of token base units');
  return BigInt(value);
}

/**
 * Checked by hand, not by a commander parser: commander's message would quote the value, and the
 * value is a private key.
 */
export function parsePrivateKey(value: string | undefined, source: string): Hex {
  if (value === undefined || value === '') throw new ProxyCliError(source, "required (the receiver's private key, 0x + 64 hex digits)");
  const hex = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new ProxyCliError(source, 'not a private key (expected 0x + 64 hex digits; value not shown)');
  return `0x${hex.toLowerCase()}`;
}

/** The options every `proxy` command takes, each with its §6 variable. */
function receiverOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--rpc-url <url>', 'Ethereum JSON-RPC endpoint').env('RDN_RPC_URL').argParser(httpUrl))
    .addOption(
      new Option('--chain-id <id>', 'expected chain id (refuse to start on another chain)')
        .env('RDN_CHAIN_ID')
        .argParser(integerOption(1, Number.MAX_SAFE_INTEGER)),
    )
    .addOption(new Option('--contract <address>', 'RaidenMicroTransferChannels contract').env('RDN_CONTRACT_ADDRESS').argParser(address))
    .addOption(new Option('--token <address>', 'expected token address (checked against the contract)').env('RDN_TOKEN_ADDRESS').argParser(address))
    .addOption(new Option('--private-key <hex>', 'receiver private key (prefer the env variable: flags show in ps)').env('RDN_RECEIVER_PRIVATE_KEY'))
    .addOption(
      new Option('--confirmations <n>', `confirmations required (default ${DEFAULT_CONFIRMATIONS})`)
        .env('RDN_CONFIRMATIONS')
        .argParser(integerOption(0, 10_000)),
    )
    .addOption(new Option('--state-dir <dir>', `directory of the state file (${STATE_FILE_NAME}), kept across restarts`).env('RDN_STATE_DIR'))
    .addOption(new Option('--poll-interval-ms <ms>', 'how often to poll the chain').env('RDN_POLL_INTERVAL_MS').argParser(integerOption(1, 3_600_000)))
    .addOption(new Option('--eth-floor <ether>', 'refuse payments (502) while the receiver holds less ETH than this').argParser(ether));
}

interface RawReceiverOptions {
  rpcUrl?: string;
  chainId?: number;
  contract?: Address;
  token?: Address;
  privateKey?: string;
  confirmations?: number;
  stateDir?: string;
  pollIntervalMs?: number;
  ethFloor?: bigint;
}

/** Flags and env merged by commander (flags win); checks what commander cannot. */
export function receiverConfig(o: RawReceiverOptions): ReceiverCliConfig {
  if (o.rpcUrl === undefined) throw new ProxyCliError('--rpc-url', 'required (or RDN_RPC_URL)');
  if (o.contract === undefined) throw new ProxyCliError('--contract', 'required (or RDN_CONTRACT_ADDRESS)');
  if (o.stateDir === undefined || o.stateDir === '')
    throw new ProxyCliError('--state-dir', 'required (or RDN_STATE_DIR): losing the state loses payments, so there is no default');
  return {
    faults: faultsFromEnv(),
    rpcUrl: o.rpcUrl,
    contract: o.contract,
    receiverPrivateKey: parsePrivateKey(o.privateKey, '--private-key / RDN_RECEIVER_PRIVATE_KEY'),
    confirmations: o.confirmations ?? DEFAULT_CONFIRMATIONS,
    stateDir: path.resolve(o.stateDir),
    ...(o.chainId !== undefined && { chainId: o.chainId }),
    ...(o.token !== undefined && { token: o.token }),
    ...(o.pollIntervalMs !== undefined && { pollIntervalMs: o.pollIntervalMs }),
    ...(o.ethFloor !== undefined && { ethFloor: o.ethFloor }),
  };
}

function faultsFromEnv(): ReadonlySet<Fault> {
  try {
    return parseFaults(process.env.URAIDEN_FAULT);
  } catch (err) {
    if (err instanceof UnknownFaultError) throw new ProxyCliError('URAIDEN_FAULT', err.message);
    throw err;
  }
}

/** Opens the manager on the configured state and checks the chain and token it found. */
async function open(config: ReceiverCliConfig): Promise<Receiver> {
  await mkdir(config.stateDir, { recursive: true });
  const { openReceiver } = await import('../reference/receiver/index.js');
  const { faultyReceiver } = await import('../reference/faulty-receiver.js');
  const open = config.faults.size > 0 ? faultyReceiver(config.faults).open : openReceiver;
  const receiver = await open({
    rpcUrl: config.rpcUrl,
    receiverPrivateKey: config.receiverPrivateKey,
    contract: config.contract,
    stateFile: path.join(config.stateDir, STATE_FILE_NAME),
    confirmations: config.confirmations,
    ...(config.pollIntervalMs !== undefined && { pollIntervalMs: config.pollIntervalMs }),
    ...(config.ethFloor !== undefined && { ethFloor: config.ethFloor }),
  });
  try {
    if (config.chainId !== undefined && receiver.chainId !== config.chainId) {
      throw new ProxyCliError('--chain-id', `the RPC endpoint serves chain ${receiver.chainId}, not ${config.chainId}`);
    }
    if (config.token !== undefined && receiver.token.toLowerCase() !== config.token.toLowerCase()) {
      throw new ProxyCliError('--token', `the contract's token is ${receiver.token}, not ${config.token}`);
    }
  } catch (err) {
    await receiver.stop();
    throw err;
  }
  return receiver;
}

/**
 * Configuration errors become usage errors (CommanderError with exit code 2, printed as one line
 * by program.ts); anything else stays a runtime failure (exit 1).
 */
async function usage<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ProxyCliError) throw new CommanderError(USAGE_EXIT_CODE, 'uraiden.proxy.config', err.message);
    throw err;
  }
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

const json = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

async function runProxy(opts: RawReceiverOptions & { port?: number; host?: string; gatewayPath?: string }): Promise<void> {
  const config: ProxyCliConfig = {
    ...receiverConfig(opts),
    port: opts.port ?? DEFAULT_PORT,
    host: opts.host ?? '127.0.0.1',
    gatewayPath: opts.gatewayPath ?? '/api/1',
  };
  if (config.faults.size > 0) {
    // Loud on purpose: a receiver with a fault takes payments it must refuse.
    process.stderr.write(
      `uraiden proxy: WARNING: deliberately broken for the conformance self-test (URAIDEN_FAULT=${[...config.faults].join(',')}); never take real payments with it\n`,
    );
  }
  const receiver = await open(config);
  const { createProxy, echoResources } = await import('../reference/receiver/index.js');
  let proxy: PaywalledProxy;
  try {
    const faulty = config.faults.size > 0 ? (await import('../reference/faulty-receiver.js')).faultyReceiver(config.faults) : undefined;
    proxy = createProxy({ manager: faulty?.forProxy(receiver) ?? receiver, resources: echoResources(), gatewayPath: config.gatewayPath });
    faulty?.adjust(proxy);
    const { url } = await proxy.listen(config.port, config.host);
    process.stdout.write(
      `uraiden proxy: listening on ${url} (receiver ${receiver.receiver}, contract ${receiver.contract}, chain ${receiver.chainId}, state ${path.join(config.stateDir, STATE_FILE_NAME)}, signatures ${signatureBackend()})\n`,
    );
  } catch (err) {
    await receiver.stop();
    throw err;
  }

  // Graceful stop: stop accepting, let in-flight requests finish (their payments are already
  // durable), then close the manager's state. A second signal while stopping exits at once.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`uraiden proxy: ${signal}, stopping\n`);
    void (async () => {
      try {
        await proxy.close();
        await receiver.stop();
        process.stdout.write('uraiden proxy: stopped\n');
        process.exit(0);
      } catch (err) {
        // After runCli returned, so nobody else reports it: one line, exit 1.
        process.stderr.write(`uraiden proxy: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
        process.exit(1);
      }
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function runWithdraw(opts: RawReceiverOptions & { minimum?: bigint }): Promise<void> {
  const receiver = await open(receiverConfig(opts));
  try {
    const result = await receiver.withdraw(opts.minimum ?? 1n);
    process.stdout.write(`${json({ command: 'withdraw', minimum: opts.minimum ?? 1n, result })}\n`);
  } finally {
    await receiver.stop();
  }
}

async function runCloseAll(opts: RawReceiverOptions): Promise<void> {
  const receiver = await open(receiverConfig(opts));
  try {
    const result = await receiver.closeAll();
    process.stdout.write(`${json({ command: 'close-all', result })}\n`);
  } finally {
    await receiver.stop();
  }
}

/** Adds `proxy` (and its `withdraw`, `close-all`) to the `uraiden` program. */
export function registerProxyCommand(program: Command): void {
  const proxy = receiverOptions(
    program
      .command('proxy')
      .description('run the reference receiver: paywalled proxy with the §6 echo resources and the §5 REST API')
      .addOption(new Option('--port <port>', `port to listen on (default ${DEFAULT_PORT})`).env('RDN_PORT').argParser(integerOption(0, 65535)))
      .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
      .addOption(new Option('--gateway-path <path>', 'prefix of the REST API').default('/api/1')),
  ).action((opts) => usage(() => runProxy(opts)));

  receiverOptions(proxy.command('withdraw').description('withdraw the registered balances of open channels (receiver → chain)'))
    .addOption(new Option('--minimum <amount>', 'only channels with at least this much unwithdrawn (token base units, default 1)').argParser(tokenAmount))
    .action((opts) => usage(() => runWithdraw(opts)));

  receiverOptions(proxy.command('close-all').description('cooperatively close every open channel with its last registered proof')).action((opts) =>
    usage(() => runCloseAll(opts)),
  );
}

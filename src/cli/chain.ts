/**
 * `uraiden chain`: serves the deterministic chain on 127.0.0.1 until interrupted, so targets and
 * tools in other processes (or languages) can use it. Prints the §6 variables it determines.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_CHAIN_ID, DEFAULT_CONFIRMATIONS, DEFAULT_POLL_INTERVAL_MS, DEFAULT_SEED, DEFAULT_SENDERS, MIN_CHALLENGE_PERIOD } from '../sim/defaults.js';
import { integerOption, nonEmptyOption } from './options.js';

interface ChainCommandOptions {
  port: number;
  challengePeriod: number;
  confirmations: number;
  seed: string;
  senders: number;
  chainId: number;
  pollInterval: number;
  targetPort?: number;
  stateDir?: string;
  printEnv: boolean;
  blockTime: number;
}

/** Seconds, whole or decimal (0.5), not negative. */
function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) throw new InvalidArgumentError('not a number of seconds.');
  return n;
}

export function registerChainCommand(program: Command): void {
  program
    .command('chain')
    .description('serve the deterministic chain (contracts deployed, accounts funded) over JSON-RPC on 127.0.0.1')
    .option('--port <port>', 'JSON-RPC port (0: any free port)', integerOption(0, 65535), 8545)
    .option(
      '--challenge-period <blocks>',
      `challenge period (>= ${MIN_CHALLENGE_PERIOD})`,
      integerOption(MIN_CHALLENGE_PERIOD, 0xffffffff),
      MIN_CHALLENGE_PERIOD,
    )
    .option('--confirmations <n>', 'RDN_CONFIRMATIONS for targets', integerOption(0), DEFAULT_CONFIRMATIONS)
    .option('--seed <text>', 'seed the account keys derive from', nonEmptyOption, DEFAULT_SEED)
    .option('--senders <n>', 'number of funded sender accounts', integerOption(1, 1000), DEFAULT_SENDERS)
    .option('--chain-id <id>', 'chain id', integerOption(1, 0xffffffff), DEFAULT_CHAIN_ID)
    .option('--poll-interval <ms>', 'RDN_POLL_INTERVAL_MS for targets', integerOption(1), DEFAULT_POLL_INTERVAL_MS)
    .option('--target-port <port>', 'also print RDN_PORT (where a target should listen)', integerOption(0, 65535))
    .option('--state-dir <dir>', 'also print RDN_STATE_DIR (a target state directory)', nonEmptyOption)
    .option('--print-env', 'print only `export NAME=value` lines (for eval)', false)
    .option('--block-time <seconds>', 'also mine a block every <seconds>, like anvil --block-time (default 0: only on demand, deterministic)', seconds, 0)
    .action(async (opts: ChainCommandOptions) => serveChain(opts));
}

async function serveChain(opts: ChainCommandOptions): Promise<void> {
  // Handlers before anything else: a driver may signal as soon as it reads the variables (or
  // while the chain starts), and a signal that arrives before a handler exists kills the process
  // with the default action instead of closing it.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  // Loaded here, not at the top: ganache and ethers take seconds to load, and a usage error or
  // another subcommand should not wait for them.
  const { startChain } = await import('../sim/chain.js');
  const chain = await startChain({
    seed: opts.seed,
    challengePeriod: opts.challengePeriod,
    senders: opts.senders,
    chainId: opts.chainId,
    blockTime: opts.blockTime,
  });
  let server: Awaited<ReturnType<typeof chain.listen>>;
  try {
    server = await chain.listen(opts.port);
  } catch (err) {
    await chain.close();
    throw err;
  }

  const env = chain.targetEnv({
    // Placeholders for the two variables only a target launcher knows; dropped below unless given.
    port: opts.targetPort ?? 0,
    stateDir: opts.stateDir ?? '.',
    confirmations: opts.confirmations,
    pollIntervalMs: opts.pollInterval,
  });
  if (opts.targetPort === undefined) delete env.RDN_PORT;
  if (opts.stateDir === undefined) delete env.RDN_STATE_DIR;
  // Not §6 variables: the keys a test driver needs to play the senders, and sender 0's key under
  // the name `uraiden client` reads, so a shell that sourced these can pay at once.
  chain.accounts.senders.forEach((sender, i) => {
    env[`RDN_SENDER_${i}_ADDRESS`] = sender.address;
    env[`RDN_SENDER_${i}_PRIVATE_KEY`] = sender.privateKey;
  });
  env.RDN_SENDER_PRIVATE_KEY = chain.accounts.senders[0]!.privateKey;

  const lines = Object.entries(env).map(([name, value]) => (opts.printEnv ? `export ${name}=${shellQuote(value)}` : `${name}=${value}`));
  if (!opts.printEnv) {
    const mining = opts.blockTime > 0 ? `a block every ${opts.blockTime} s` : 'blocks mined on demand';
    process.stdout.write(`uraiden chain: chain ${chain.chainId} at ${server.url}, challenge period ${chain.challengePeriod}, ${mining} (Ctrl-C to stop)\n`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  await stopped;
  await server.close();
  await chain.close();
  // Ganache can leave timers behind after disconnect; the chain is closed, so end here.
  process.exit(0);
}

/** Single-quotes a value unless it is made only of characters no shell treats specially. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `uraiden deploy`: the kit's test token (or an existing token) and RaidenMicroTransferChannels on
 * any chain, with test tokens for named addresses — deployChannels() (src/contracts) from the
 * command line. Prints the addresses, blocks and gas; `--print-env` prints the §6 variables a
 * receiver needs, `--json` everything. The key comes from env RDN_DEPLOYER_PRIVATE_KEY or
 * `--keystore` (never a flag: command lines are visible to every user of the machine).
 *
 * Exit codes: 0 deployed; 1 a failure (chain unreachable, a transaction reverted); 2 bad usage (a
 * malformed flag, a challenge period below 500); 3 refused by what the chain says (a token
 * without code or supply, a key without enough ETH, another chain id than --chain-id).
 */
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { isAddress, toChecksumAddress } from '../protocol/address.js';
import { MAX_CHALLENGE_PERIOD, MIN_CHALLENGE_PERIOD } from '../contracts/limits.js';
import { loadPrivateKey } from './keys.js';
import { httpUrl, integerOption, nonEmptyOption, USAGE_EXIT_CODE } from './options.js';

const REFUSED_EXIT_CODE = 3;

interface DeployFlags {
  rpcUrl?: string;
  challengePeriod: number;
  token?: string;
  tokenName?: string;
  tokenSymbol?: string;
  tokenSupply?: bigint;
  tokenDecimals?: number;
  fund: { address: string; amount: bigint }[];
  chainId?: number;
  keystore?: string;
  printEnv: boolean;
  json: boolean;
}

/** The library's option names, as the flags a user typed. */
const FLAG: Record<string, string> = {
  rpcUrl: '--rpc-url',
  challengePeriod: '--challenge-period',
  token: '--token',
  tokenName: '--token-name',
  tokenSymbol: '--token-symbol',
  tokenSupply: '--token-supply',
  tokenDecimals: '--token-decimals',
  fund: '--fund',
  chainId: '--chain-id',
  deployerKey: 'the deployer key',
};

function amount(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a non-negative decimal integer (token base units).');
  return BigInt(value);
}

function fundPair(value: string, previous: { address: string; amount: bigint }[]): { address: string; amount: bigint }[] {
  const m = /^(0x[0-9a-fA-F]{40})=(\d+)$/.exec(value);
  if (!m || !isAddress(m[1]!)) throw new InvalidArgumentError('expected ADDRESS=AMOUNT (0x and 40 hex digits, = and token base units).');
  return [...previous, { address: toChecksumAddress(m[1]!), amount: BigInt(m[2]!) }];
}

export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description('deploy the test token (or use --token) and RaidenMicroTransferChannels to a chain; fund addresses with test tokens')
    .option('--rpc-url <url>', 'JSON-RPC endpoint of the chain (env RDN_RPC_URL)', httpUrl)
    .option(
      '--challenge-period <blocks>',
      `blocks a sender waits to settle after a close request (>= ${MIN_CHALLENGE_PERIOD})`,
      integerOption(0, MAX_CHALLENGE_PERIOD),
      MIN_CHALLENGE_PERIOD,
    )
    .option('--token <address>', 'use this existing ERC20/ERC223 token instead of deploying the test token')
    .option('--token-name <name>', 'the test token\'s name (default "uRaiden Kit Test Token")', nonEmptyOption)
    .option('--token-symbol <symbol>', "the test token's symbol (default UKT)", nonEmptyOption)
    .option('--token-supply <amount>', 'test tokens minted to the deployer (base units; default 10^27)', amount)
    .option('--token-decimals <n>', "the test token's decimals (default 18)", integerOption(0, 255))
    .option('--fund <address=amount>', 'give this address test tokens (repeatable): minted, or transferred from the deployer with --token', fundPair, [])
    .option('--chain-id <id>', 'refuse unless the endpoint serves this chain', integerOption(1, Number.MAX_SAFE_INTEGER))
    .option('--keystore <file>', 'encrypted JSON key file of the deployer; password from env RDN_KEYSTORE_PASSWORD')
    .option('--print-env', 'print `export RDN_…=` lines for a receiver (RDN_RPC_URL, RDN_CHAIN_ID, RDN_CONTRACT_ADDRESS, RDN_TOKEN_ADDRESS)', false)
    .option('--json', 'print the deployment as JSON', false)
    .addHelpText(
      'after',
      `
Key: env RDN_DEPLOYER_PRIVATE_KEY, or --keystore <file> with the password in env RDN_KEYSTORE_PASSWORD.
Exit codes: 0 deployed; 1 failure (chain unreachable, transaction reverted); 2 bad usage
(including a challenge period below ${MIN_CHALLENGE_PERIOD}); 3 refused: a token without code or supply,
a key without enough ETH for the gas, a chain id other than --chain-id.`,
    )
    .action(async (flags: DeployFlags) => deploy(flags));
}

async function deploy(flags: DeployFlags): Promise<void> {
  const usage = (message: string) => new CommanderError(USAGE_EXIT_CODE, 'uraiden.deploy.usage', message);
  const rpcUrl = flags.rpcUrl ?? process.env.RDN_RPC_URL;
  if (!rpcUrl) throw usage('no chain: give --rpc-url or env RDN_RPC_URL');
  if (flags.challengePeriod < MIN_CHALLENGE_PERIOD) {
    throw usage(`--challenge-period ${flags.challengePeriod}: below ${MIN_CHALLENGE_PERIOD} blocks, which the contract refuses (§2)`);
  }
  const newTokenFlags = [flags.tokenName, flags.tokenSymbol, flags.tokenSupply, flags.tokenDecimals].some((v) => v !== undefined);
  if (flags.token !== undefined && newTokenFlags)
    throw usage('--token uses an existing token: --token-name, --token-symbol, --token-supply and --token-decimals describe a new one');
  if (flags.token !== undefined && !isAddress(flags.token)) throw usage(`--token ${flags.token}: not an address (0x and 40 hex digits)`);
  const deployerKey = await loadPrivateKey({ keystore: flags.keystore }, 'deployer', 'RDN_DEPLOYER_PRIVATE_KEY', 'uraiden.deploy.usage');

  const { deployChannels, DeployError } = await import('../contracts/index.js');
  const progress = flags.json || flags.printEnv ? undefined : (line: string) => process.stderr.write(`uraiden deploy: ${line}\n`);
  let result: Awaited<ReturnType<typeof deployChannels>>;
  try {
    result = await deployChannels({
      rpcUrl,
      deployerKey,
      challengePeriod: flags.challengePeriod,
      token:
        flags.token ??
        Object.fromEntries(
          Object.entries({ name: flags.tokenName, symbol: flags.tokenSymbol, supply: flags.tokenSupply, decimals: flags.tokenDecimals }).filter(
            ([, v]) => v !== undefined,
          ),
        ),
      fund: flags.fund,
      ...(flags.chainId !== undefined && { chainId: flags.chainId }),
      ...(progress && { progress }),
    });
  } catch (err) {
    if (err instanceof DeployError) {
      const value = typeof err.value === 'bigint' ? err.value.toString() : String(err.value);
      process.stderr.write(`uraiden deploy: ${FLAG[err.option] ?? err.option} ${value}: ${err.reason}\n`);
      process.exitCode = err.option === 'rpcUrl' ? 1 : REFUSED_EXIT_CODE;
      return;
    }
    throw err;
  }

  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ rpcUrl, ...result }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
    return;
  }
  if (flags.printEnv) {
    const env = {
      RDN_RPC_URL: rpcUrl,
      RDN_CHAIN_ID: String(result.chainId),
      RDN_CONTRACT_ADDRESS: result.channels.address,
      RDN_TOKEN_ADDRESS: result.token.address,
    };
    process.stdout.write(
      `${Object.entries(env)
        .map(([k, v]) => `export ${k}=${/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v}'`}`)
        .join('\n')}\n`,
    );
    return;
  }
  const t = result.token;
  const lines = [
    `deployed on chain ${result.chainId} (${rpcUrl}) by ${result.deployer}`,
    t.deployedHere
      ? `  token     ${t.address}  block ${t.blockNumber}  gas ${t.gasUsed}  (${t.symbol}, "${t.name}", ${t.decimals} decimals)`
      : `  token     ${t.address}  (existing${t.symbol ? `: ${t.symbol}` : ''})`,
    `  channels  ${result.channels.address}  block ${result.channels.blockNumber}  gas ${result.channels.gasUsed}  (challenge period ${result.channels.challengePeriod})`,
    ...result.funded.map((f) => `  funded    ${f.address}  ${f.amount}  block ${f.blockNumber}  gas ${f.gasUsed}`),
    `  total gas ${result.gasUsed}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

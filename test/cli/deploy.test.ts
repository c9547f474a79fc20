/**
 * `uraiden deploy` as a user runs it (the compiled CLI in a child process), against both chains:
 * the kit's own (ganache, served over JSON-RPC) and anvil. Deploys, checks the code and balances
 * on chain, and every refusal: one line naming the value, the documented exit code, nothing sent.
 */
import { expect } from 'chai';
import { Contract, getAddress, JsonRpcProvider, Wallet } from 'ethers';
import { artifact, codeMatches, deployChannels, DeployError } from '../../src/contracts/index.js';
import { CHANNELS_ABI, TOKEN_ABI } from '../../src/protocol/index.js';
import { startChain, type Chain, type RpcServer } from '../../src/sim/index.js';
import { ANVIL_KEY, type Anvil, startAnvil, uraiden } from '../helpers/processes.js';

const FUNDED = getAddress('0x00000000000000000000000000000000000000f1');
const OTHER = getAddress('0x00000000000000000000000000000000000000f2');
const EMPTY_KEY = `0x${'7'.repeat(64)}`; // an account that holds no ETH on either chain

interface ChainUnderTest {
  name: string;
  url: () => string;
  deployerKey: () => string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

let kit: Chain;
let kitRpc: RpcServer;
let anvil: Anvil;
const CHAINS: ChainUnderTest[] = [
  {
    name: 'the kit chain',
    url: () => kitRpc.url,
    deployerKey: () => kit.accounts.thirdParty.privateKey,
    async start() {
      kit = await startChain({ senders: 1 });
      kitRpc = await kit.listen();
    },
    async stop() {
      await kitRpc.close();
      await kit.close();
    },
  },
  {
    name: 'anvil (--block-time 1)',
    url: () => anvil.url,
    deployerKey: () => ANVIL_KEY,
    async start() {
      anvil = await startAnvil({ blockTime: 1 });
    },
    async stop() {
      await anvil.stop();
    },
  },
];

for (const c of CHAINS) {
  describe(`uraiden deploy on ${c.name}`, function () {
    this.timeout(120_000);
    let provider: JsonRpcProvider;
    before(async function () {
      this.timeout(120_000);
      await c.start();
      provider = new JsonRpcProvider(c.url(), undefined, { cacheTimeout: -1 });
    });
    after(async () => {
      provider?.destroy();
      await c.stop();
    });
    const env = () => ({ RDN_DEPLOYER_PRIVATE_KEY: c.deployerKey() });

    it('deploys the test token and the channels contract, verifies them and funds addresses; --json has it all', async () => {
      const run = await uraiden(
        [
          'deploy',
          '--rpc-url',
          c.url(),
          '--challenge-period',
          '600',
          '--token-symbol',
          'TST',
          '--token-decimals',
          '6',
          '--fund',
          `${FUNDED}=1000`,
          '--fund',
          `${OTHER}=5`,
          '--json',
        ],
        env(),
      );
      expect(run.code, run.stderr).to.equal(0);
      const d = JSON.parse(run.stdout) as {
        chainId: number;
        token: { address: string; deployedHere: boolean; symbol: string; decimals: number; gasUsed: string; blockNumber: number };
        channels: { address: string; challengePeriod: number; gasUsed: string; blockNumber: number };
        funded: { address: string; amount: string }[];
        gasUsed: string;
      };
      expect(d.chainId).to.equal(Number((await provider.getNetwork()).chainId));
      expect(d.token).to.include({ deployedHere: true, symbol: 'TST', decimals: 6 });
      expect(codeMatches(await provider.getCode(d.token.address), artifact('TestToken'))).to.equal(true);
      expect(codeMatches(await provider.getCode(d.channels.address), artifact('RaidenMicroTransferChannels'))).to.equal(true);
      const channels = new Contract(d.channels.address, CHANNELS_ABI, provider);
      expect(await channels.getFunction('token')()).to.equal(d.token.address);
      expect(await channels.getFunction('challenge_period')()).to.equal(600n);
      const token = new Contract(
        d.token.address,
        [...TOKEN_ABI, 'function decimals() view returns (uint8)', 'function symbol() view returns (string)'],
        provider,
      );
      expect(await token.getFunction('balanceOf')(FUNDED)).to.equal(1000n);
      expect(await token.getFunction('balanceOf')(OTHER)).to.equal(5n);
      expect(await token.getFunction('decimals')()).to.equal(6n);
      expect(await token.getFunction('symbol')()).to.equal('TST');
      expect(d.funded.map((f) => [f.address, f.amount])).to.deep.equal([
        [FUNDED, '1000'],
        [OTHER, '5'],
      ]);
      expect(BigInt(d.gasUsed) > BigInt(d.channels.gasUsed)).to.equal(true);
      expect(d.channels.blockNumber).to.be.greaterThan(d.token.blockNumber);
    });

    it('--print-env prints the variables a receiver needs; the human output names addresses, blocks and gas', async () => {
      const env1 = await uraiden(['deploy', '--rpc-url', c.url(), '--print-env'], env());
      expect(env1.code, env1.stderr).to.equal(0);
      const vars = Object.fromEntries([...env1.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
      expect(Object.keys(vars)).to.deep.equal(['RDN_RPC_URL', 'RDN_CHAIN_ID', 'RDN_CONTRACT_ADDRESS', 'RDN_TOKEN_ADDRESS']);
      expect(await new Contract(vars.RDN_CONTRACT_ADDRESS!, CHANNELS_ABI, provider).getFunction('token')()).to.equal(vars.RDN_TOKEN_ADDRESS);
      const human = await uraiden(['deploy', '--rpc-url', c.url()], env());
      expect(human.code, human.stderr).to.equal(0);
      expect(human.stdout).to.match(/^ {2}token {5}0x[0-9a-fA-F]{40} {2}block \d+ {2}gas \d+/m);
      expect(human.stdout).to.match(/^ {2}channels {2}0x[0-9a-fA-F]{40} {2}block \d+ {2}gas \d+ {2}\(challenge period 500\)/m);
      expect(human.stderr).to.match(/needs up to \d+/); // progress goes to stderr
    });

    it('--token uses an existing token: no token deployed, funds transferred from the deployer', async () => {
      const first = JSON.parse((await uraiden(['deploy', '--rpc-url', c.url(), '--json'], env())).stdout) as { token: { address: string } };
      const run = await uraiden(['deploy', '--rpc-url', c.url(), '--token', first.token.address, '--fund', `${OTHER}=7`, '--json'], env());
      expect(run.code, run.stderr).to.equal(0);
      const d = JSON.parse(run.stdout) as { token: { address: string; deployedHere: boolean; symbol: string } };
      expect(d.token).to.deep.include({ address: first.token.address, deployedHere: false, symbol: 'UKT' });
      expect(await new Contract(first.token.address, TOKEN_ABI, provider).getFunction('balanceOf')(OTHER)).to.equal(7n);
    });

    it('refuses, with one line naming the value and nothing sent: a challenge period below 500, a token without code, a key without ETH, another chain id', async () => {
      const cases: [string[], NodeJS.ProcessEnv, number, RegExp][] = [
        [['--challenge-period', '499'], env(), 2, /^uraiden: --challenge-period 499: below 500 blocks/],
        [['--token', OTHER], env(), 3, new RegExp(`^uraiden deploy: --token ${OTHER}: has no code on chain \\d+`)],
        [
          [],
          { RDN_DEPLOYER_PRIVATE_KEY: EMPTY_KEY },
          3,
          new RegExp(`^uraiden deploy: the deployer key ${new Wallet(EMPTY_KEY).address}: holds 0 wei; the deployment needs up to \\d+ wei`),
        ],
        [['--chain-id', '999'], env(), 3, /^uraiden deploy: --chain-id 999: the endpoint serves chain \d+/],
        [['--fund', 'nope'], env(), 2, /^uraiden: option '--fund <address=amount>' argument 'nope' is invalid/],
        [[], { RDN_DEPLOYER_PRIVATE_KEY: '' }, 2, /^uraiden: no deployer key: give --keystore or env RDN_DEPLOYER_PRIVATE_KEY/],
      ];
      const before = await provider.getBlockNumber();
      for (const [args, e, code, line] of cases) {
        const run = await uraiden(['deploy', '--rpc-url', c.url(), ...args], e);
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(code);
        expect(run.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
        expect(run.stderr, args.join(' ')).to.match(line);
        expect(run.stdout).to.equal('');
      }
      // Nothing was sent (a chain with interval mining may have mined empty blocks meanwhile).
      const deployer = new Wallet(c.deployerKey()).address;
      const nonce = await provider.getTransactionCount(deployer);
      for (let b = before + 1; b <= (await provider.getBlockNumber()); b++) {
        const block = await provider.getBlock(b, true);
        expect(
          block!.prefetchedTransactions.filter((t) => t.from === deployer),
          `block ${b}`,
        ).to.deep.equal([]);
      }
      expect(await provider.getTransactionCount(deployer)).to.equal(nonce);
    });
  });
}

describe('deployChannels (uraiden-kit/contracts)', function () {
  this.timeout(60_000);
  it('throws DeployError carrying the option and the value; returns the deployment', async () => {
    const chain = await startChain({ senders: 1 });
    try {
      const provider = chain.provider;
      const refused = await deployChannels({ provider, deployerKey: chain.accounts.thirdParty.privateKey, challengePeriod: 100 }).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(DeployError);
      expect(refused).to.include({ option: 'challengePeriod', value: 100, code: 'DEPLOY_REFUSED' });
      const d = await deployChannels({ provider, deployerKey: chain.accounts.thirdParty.privateKey, fund: [{ address: FUNDED, amount: 3n }] });
      expect(d.token.deployedHere).to.equal(true);
      expect(d.funded).to.have.length(1);
      expect(await chain.provider.getCode(d.channels.address)).to.not.equal('0x');
    } finally {
      await chain.close();
    }
  });
});

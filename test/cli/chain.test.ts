/** `uraiden chain` as a user runs it: a child process (async spawn; the parent never blocks). */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { call } from '../sim/rpc.js';
import { runCli } from '../../src/cli/program.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/uraiden.js');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': only then has all of the output been read.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** Resolves once stdout holds a line starting with `marker`; rejects if the process exits first. */
function waitFor(r: Run, marker: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout; stderr: ${r.stderr()}`)), timeoutMs);
    const check = () => {
      if (marker.test(r.stdout())) {
        clearTimeout(timer);
        r.child.stdout!.off('data', check);
        resolve();
      }
    };
    r.child.stdout!.on('data', check);
    void r.exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}; stderr: ${r.stderr()}`));
    });
    check();
  });
}

describe('cli: uraiden chain', function () {
  this.timeout(120_000);

  it('prints the §6 variables in export form, serves JSON-RPC at the printed URL, exits 0 on SIGINT', async () => {
    const r = run([
      'chain',
      '--port',
      '0',
      '--print-env',
      '--senders',
      '2',
      '--confirmations',
      '7',
      '--challenge-period',
      '800',
      '--state-dir',
      '/tmp/some dir',
    ]);
    try {
      await waitFor(r, /^export RDN_SENDER_1_PRIVATE_KEY=.*\n/m);
      const lines = r.stdout().trim().split('\n');
      for (const line of lines) expect(line).to.match(/^export RDN_[A-Z0-9_]+=\S/);
      const env = Object.fromEntries(lines.map((l) => /^export ([A-Z0-9_]+)=(.*)$/.exec(l)!.slice(1, 3) as [string, string]));
      expect(Object.keys(env)).to.include.members([
        'RDN_RPC_URL',
        'RDN_CHAIN_ID',
        'RDN_CONTRACT_ADDRESS',
        'RDN_TOKEN_ADDRESS',
        'RDN_RECEIVER_PRIVATE_KEY',
        'RDN_CONFIRMATIONS',
        'RDN_POLL_INTERVAL_MS',
        'RDN_STATE_DIR',
        'RDN_SENDER_0_PRIVATE_KEY',
        'RDN_SENDER_1_ADDRESS',
      ]);
      expect(env.RDN_PORT).to.equal(undefined);
      expect(env.RDN_STATE_DIR).to.equal(`'/tmp/some dir'`);
      expect(env.RDN_CONFIRMATIONS).to.equal('7');
      expect(env.RDN_RPC_URL).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);

      const url = env.RDN_RPC_URL!;
      expect(await call(url, 'eth_chainId')).to.equal(`0x${Number(env.RDN_CHAIN_ID).toString(16)}`);
      expect(await call(url, 'eth_getCode', [env.RDN_CONTRACT_ADDRESS, 'latest'])).to.match(/^0x[0-9a-f]{100,}$/);
      const info = await call<{ challengePeriod: number; contracts: { token: string } }>(url, 'kit_info');
      expect(info.challengePeriod).to.equal(800);
      expect(info.contracts.token).to.equal(env.RDN_TOKEN_ADDRESS);

      r.child.kill('SIGINT');
      expect(await r.exit).to.deep.equal({ code: 0, signal: null });
      let refused = false;
      try {
        await call(url, 'eth_chainId');
      } catch {
        refused = true;
      }
      expect(refused).to.equal(true);
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  it('without --print-env prints a banner and NAME=value lines; exits 0 on SIGTERM', async () => {
    const r = run(['chain', '--port', '0', '--senders', '1']);
    try {
      await waitFor(r, /^RDN_SENDER_0_PRIVATE_KEY=0x[0-9a-f]{64}\n/m);
      const [banner, ...rest] = r.stdout().trim().split('\n');
      expect(banner).to.match(/^uraiden chain: chain 1337 at http:\/\/127\.0\.0\.1:\d+/);
      for (const line of rest) expect(line).to.match(/^RDN_[A-Z0-9_]+=\S+$/);
      r.child.kill('SIGTERM');
      expect((await r.exit).code).to.equal(0);
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  // Spawned: the real exit code and stderr of the process.
  for (const args of [['--bogus'], ['--challenge-period', '499']]) {
    it(`refuses ${args.join(' ')} with one line on stderr and exit code 2`, async () => {
      const r = run(['chain', ...args]);
      const { code } = await r.exit;
      expect(code).to.equal(2);
      expect(r.stdout()).to.equal('');
      expect(r.stderr()).to.match(/^uraiden: [^\n]+\n$/);
    });
  }

  // In process (spawning costs seconds each): the same runCli the binary runs, before any chain starts.
  for (const args of [
    ['--port', 'abc'],
    ['--port', '70000'],
    ['--port', '1.5'],
    ['--port'],
    ['--senders', '0'],
    ['--confirmations', '-1'],
    ['--chain-id', '0x10'],
    ['--seed', ''],
    ['extra-argument'],
  ]) {
    it(`refuses ${args.join(' ')} with one line and usage exit code 2`, async () => {
      const lines: string[] = [];
      expect(await runCli(['chain', ...args], (line) => lines.push(line))).to.equal(2);
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/^uraiden: [^\n]+\n$/);
      expect(lines[0]).to.contain(args[0] === 'extra-argument' ? 'too many arguments' : args[0]);
    });
  }

  it('prints the help and exits 0 for --help', async () => {
    const r = run(['chain', '--help']);
    expect((await r.exit).code).to.equal(0);
    expect(r.stdout()).to.contain('Usage: uraiden chain [options]').and.contain('--challenge-period');
  });
});

/**
 * Child processes for tests that use the kit as a user does: the `uraiden` command (compiled,
 * bin/uraiden.js) and anvil (the @foundry-rs/anvil dev dependency, its binary inside the npm
 * package). Always async spawn: the test process never blocks (it may host a chain).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/uraiden.js');
const ANVIL = path.join(ROOT, 'node_modules/.bin/anvil');

/** anvil's first well-known test account (public: every anvil and hardhat node funds it). */
export const ANVIL_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const ANVIL_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
/** anvil's second and third test accounts. */
export const ANVIL_KEYS = [
  ANVIL_KEY,
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
];

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `uraiden …` to its end. */
export function uraiden(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface Anvil {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts anvil on a free port; resolves once it answers eth_chainId. */
export async function startAnvil(options: { blockTime?: number } = {}): Promise<Anvil> {
  const port = await freePort();
  const args = ['--port', String(port), '--silent', ...(options.blockTime ? ['--block-time', String(options.blockTime)] : [])];
  const child = spawn(ANVIL, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
      });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`anvil did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

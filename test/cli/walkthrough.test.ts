/**
 * The README's walkthrough (chain → proxy → client), run exactly as written: the lines between
 * the `<!-- walkthrough -->` markers, in bash, in a fresh directory. `npx uraiden` resolves to
 * this clone's compiled CLI (a shim on PATH that refuses any other npx call, so nothing is ever
 * fetched from the registry).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from '../helpers/processes.js';

describe('README walkthrough: uraiden chain → uraiden proxy → uraiden client get', function () {
  this.timeout(180_000);

  it('runs as written: the client pays 5 and prints the content', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- walkthrough -->\n```sh\n([\s\S]*?)```\n<!-- \/walkthrough -->/.exec(readme);
    expect(block, 'the README has a walkthrough block').to.not.equal(null);
    const script = block![1]!;
    expect(script).to.include('npx uraiden client get');

    const dir = await mkdtemp(path.join(os.tmpdir(), 'uraiden-walkthrough-'));
    try {
      const shims = path.join(dir, '.bin');
      await writeFile(path.join(dir, 'walkthrough.sh'), `set -e\n${script}`);
      await mkdir(shims);
      const npx = path.join(shims, 'npx');
      await writeFile(
        npx,
        `#!/bin/sh\n[ "$1" = uraiden ] || { echo "npx $*: not in the walkthrough's vocabulary" >&2; exit 99; }\nshift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`,
      );
      await chmod(npx, 0o755);
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${shims}:${process.env.PATH}`, XDG_DATA_HOME: path.join(dir, 'data') };
        for (const k of Object.keys(env)) if (k.startsWith('RDN_')) delete env[k];
        const child = spawn('bash', ['walkthrough.sh'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      const proxyLog = await readFile(path.join(dir, 'proxy.log'), 'utf8').catch(() => '(none)');
      expect(run.code, `stderr:\n${run.stderr}\nproxy.log:\n${proxyLog}`).to.equal(0);
      expect(run.stdout).to.match(/^hello/);
      expect(run.stderr).to.match(/paid 5 on channel 0x[0-9a-fA-F]{40}@\d+ \(balance 5 of 100\)/);
      expect(run.stdout).to.match(/0x[0-9a-fA-F]{40} +\d+ +100 +5 +open/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

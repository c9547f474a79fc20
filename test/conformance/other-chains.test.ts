/**
 * The conformance runner on chains that are not the kit's: anvil (the whole catalogue, with
 * anvil_mine, anvil_reorg and the runner's relay for outages), and a chain that offers only the
 * standard methods (anvil behind a filter that hides every anvil_*, evm_snapshot and
 * web3_clientVersion answer): what it cannot do is reported unimplemented, never failed, and the
 * rest passes.
 */
import { expect } from 'chai';
import http from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Anvil, startAnvil, uraiden } from '../helpers/processes.js';
import { notAsKnown, referenceBugsFile } from './helpers.js';

interface Report {
  results: { id: string; outcome: string; message?: string; expectedFailure?: string }[];
  counts: Record<string, number>;
}

async function conformance(rpcUrl: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; report: Report }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'conformance-chain-'));
  const r = await uraiden(['conformance', '--self', '--rpc-url', rpcUrl, '--time-multiplier', '3', '--report-dir', dir, ...extra]);
  const report = JSON.parse(await readFile(path.join(dir, 'conformance.json'), 'utf8').catch(() => '{"results":[],"counts":{}}')) as Report;
  return { code: r.code, stdout: r.stdout + r.stderr, report };
}

/** A JSON-RPC front that answers "method not found" for anything but the standard eth_* / net_* methods. */
async function standardOnly(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      const call = JSON.parse(body) as { id: unknown; method: string };
      if (!/^(eth|net)_/.test(call.method) || call.method === 'eth_sendTransaction') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: call.id, error: { code: -32601, message: 'Method not found' } }));
        return;
      }
      const answer = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('the conformance runner on other chains', function () {
  this.timeout(600_000);
  let anvil: Anvil;
  before(async () => {
    anvil = await startAnvil();
  });
  after(async () => anvil?.stop());

  it('anvil: the whole catalogue passes against the reference proxy (contracts deployed by the runner)', async () => {
    const run = await conformance(anvil.url, ['--expected-failures', await referenceBugsFile()]);
    expect(notAsKnown(run.report.results), run.stdout).to.deep.equal([]);
    expect(run.report.results.length).to.be.at.least(80);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/deployed the contracts on anvil\/v[\d.]+ \(chain 31337\)/);
    expect(run.stdout).to.match(/mining by anvil_mine, reorg anvil_reorg, snapshots yes/);
  });

  it('a chain with only the standard methods: reorganisations and snapshots are unimplemented, outages and payments still work', async () => {
    const front = await standardOnly(anvil.url);
    try {
      // The front hides web3_clientVersion too, so the runner needs the key it deploys with.
      const { ANVIL_KEY } = await import('../helpers/processes.js');
      const dir = await mkdtemp(path.join(os.tmpdir(), 'conformance-plain-'));
      const r = await uraiden(
        [
          'conformance',
          '--self',
          '--rpc-url',
          front.url,
          '--time-multiplier',
          '3',
          '--report-dir',
          dir,
          '--cases',
          'rdn/chain/*',
          '--cases',
          'rdn/payment/1,rdn/payment/2',
        ],
        { RDN_DEPLOYER_PRIVATE_KEY: ANVIL_KEY },
      );
      const report = JSON.parse(await readFile(path.join(dir, 'conformance.json'), 'utf8')) as Report;
      const by = Object.fromEntries(report.results.map((x) => [x.id, x]));
      const reorgCases = report.results.filter((x) => /reorgani/i.test(x.message ?? ''));
      expect(reorgCases.length, r.stdout).to.be.greaterThan(0);
      for (const c of reorgCases) expect(c.outcome, c.id).to.equal('unimplemented');
      expect(by['rdn/chain/1']?.outcome, `${r.stdout}\n${r.stderr}`).to.equal('pass'); // an outage, through the relay
      expect(by['rdn/payment/2']?.outcome).to.equal('pass');
      expect(report.results.filter((x) => x.outcome === 'fail' || x.outcome === 'error')).to.deep.equal([]);
      expect(r.code).to.equal(0);
    } finally {
      await front.close();
    }
  });

  it('a running target on a chain that is not the kit one is refused in one line', async () => {
    const r = await uraiden(['conformance', '--target', 'http://127.0.0.1:9', '--rpc-url', anvil.url]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/not a kit chain \(no kit_info\).*--target-cmd or --self/);
  });
});

/**
 * Sweeps across machines, the way a CI matrix runs them: the compiled CLI (`bin/uraiden.js`, so
 * `npm run build:js` first) runs one scenario whole, then as three shards in three separate
 * processes; `simulate merge` of the three must write the very same bytes. Then every refusal of
 * merge (missing, duplicate, other seeds, other scenario) names the shard, and `--list-runs` lists
 * the runs without running them.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mergeShards, readShard, ShardError, type ReadShard } from '../../src/simulator/index.js';

const BIN = fileURLToPath(new URL('../../bin/uraiden.js', import.meta.url));
const exec = promisify(execFile);
const cli = (...args: string[]) => exec(process.execPath, [BIN, ...args], { maxBuffer: 1 << 24 });

// 2 sweep points × 2 seeds = 4 runs; three shards take runs {0, 3}, {1}, {2}.
const SCENARIO = `name: shard-test
horizon: 40
tick: 20
receiver: { confirmations: 1 }
resources:
  - { path: /a, price: 5 }
senders:
  count: 2
  requestRate: 2
  initialDeposit: 20
  topUp: 20
seeds: [1, 2]
sweep:
  resources.0.price: [5, 7]
`;

describe('simulator: shards and merge (compiled CLI, separate processes)', function () {
  this.timeout(300_000);
  let dir: string;
  let scenario: string;
  const shardDir = (i: number) => join(dir, `shard-${i}`);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uraiden-shard-'));
    scenario = join(dir, 'shard-test.yaml');
    await writeFile(scenario, SCENARIO);
    await cli('simulate', scenario, '--out', join(dir, 'single'), '--workers', '1');
    // Three machines: three processes at once, each with its share.
    await Promise.all([1, 2, 3].map((i) => cli('simulate', scenario, '--shard', `${i}/3`, '--out', shardDir(i), '--workers', '1')));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('each shard holds its round-robin share of the runs', async () => {
    const runs = await Promise.all([1, 2, 3].map(async (i) => (await readShard(shardDir(i))).file.results.map((r) => r.summary.run)));
    expect(runs).to.deep.equal([[0, 3], [1], [2]]);
  });

  it('merging the three shards (in any order) writes files byte-identical to the one-machine run', async () => {
    const { stdout } = await cli('simulate', 'merge', shardDir(3), shardDir(1), shardDir(2), '--out', join(dir, 'merged'));
    expect(stdout).to.match(/merged 3 shard\(s\), 4 run\(s\)/);
    const names = (await readdir(join(dir, 'single'))).sort();
    expect(names).to.deep.equal(['report.html', 'stats.csv', 'stats.json', 'summary.csv', 'summary.json', 'ticks.csv', 'ticks.json']);
    expect((await readdir(join(dir, 'merged'))).sort()).to.deep.equal(names);
    for (const name of names) {
      const single = await readFile(join(dir, 'single', name));
      const merged = await readFile(join(dir, 'merged', name));
      expect(merged.equals(single), `${name} differs`).to.equal(true);
    }
    // Not trivially equal: four runs, two sweep points, two seeds.
    const summaries = JSON.parse(await readFile(join(dir, 'single', 'summary.json'), 'utf8')) as { run: number; seed: number }[];
    expect(summaries.map((s) => [s.run, s.seed])).to.deep.equal([
      [0, 1],
      [1, 2],
      [2, 1],
      [3, 2],
    ]);
  });

  it('refuses a missing shard, naming it and its runs (exit 1, one line)', async () => {
    const err = (await cli('simulate', 'merge', shardDir(1), shardDir(3), '--out', join(dir, 'x')).then(
      () => expect.fail('merged'),
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    expect(err.code).to.equal(1);
    expect(err.stderr).to.equal('uraiden: missing shard 2/3 (runs 1): merge needs all 3\n');
  });

  it('refuses a shard given twice, naming both directories', async () => {
    const copy = join(dir, 'shard-2-copy');
    await cp(shardDir(2), copy, { recursive: true });
    const shards = await Promise.all([shardDir(1), shardDir(2), copy, shardDir(3)].map(readShard));
    const err = refusal(shards);
    expect(err.shard).to.equal('2/3');
    expect(err.message).to.equal(`shard 2/3 is given twice: ${shardDir(2)} and ${copy}`);
  });

  it('refuses shards run with other seeds or of another scenario, naming the shard', async () => {
    const [one, two, three] = await Promise.all([1, 2, 3].map((i) => readShard(shardDir(i))));
    const otherSeeds: ReadShard = { dir: 'elsewhere', file: { ...two!.file, seeds: [1, 2, 3] } };
    let err = refusal([one!, otherSeeds, three!]);
    expect(err.shard).to.equal('2/3');
    expect(err.message).to.equal(`shard 2/3 (elsewhere) ran seeds 1..3, shard 1/3 (${shardDir(1)}) ran seeds 1, 2: run every shard with the same --seeds`);

    // A real shard of an edited scenario, from the CLI.
    const edited = join(dir, 'edited.yaml');
    await writeFile(edited, SCENARIO.replace('horizon: 40', 'horizon: 20'));
    await cli('simulate', edited, '--shard', '3/3', '--out', join(dir, 'edited-3'), '--workers', '1');
    err = refusal([one!, two!, await readShard(join(dir, 'edited-3'))]);
    expect(err.shard).to.equal('3/3');
    expect(err.message).to.match(
      new RegExp(`^shard 3/3 \\(${join(dir, 'edited-3')}\\) is of another scenario than shard 1/3 .*"shard-test" \\(sha256 [0-9a-f]{12}\\)`),
    );
  });

  it('refuses a directory without a shard file', async () => {
    const err = (await readShard(join(dir, 'single')).then(
      () => expect.fail('read'),
      (e: unknown) => e,
    )) as ShardError;
    expect(err).to.be.instanceOf(ShardError);
    expect(err.message).to.match(/single: no readable shard\.json \(ENOENT\)/);
  });

  it('--list-runs prints every run (index, seed, parameters) without running, and a shard’s share', async () => {
    const all = await cli('simulate', scenario, '--list-runs');
    expect(all.stdout).to.equal(
      [
        'run  seed  parameters',
        '  0     1  resources.0.price=5',
        '  1     2  resources.0.price=5',
        '  2     1  resources.0.price=7',
        '  3     2  resources.0.price=7',
        '',
      ].join('\n'),
    );
    const json = await cli('simulate', scenario, '--list-runs', '--json', '--shard', '1/3', '--seeds', '4..6');
    expect(JSON.parse(json.stdout)).to.deep.equal([
      { run: 0, seed: 4, params: { 'resources.0.price': 5 } },
      { run: 3, seed: 4, params: { 'resources.0.price': 7 } },
    ]);
  });
});

function refusal(shards: ReadShard[]): ShardError {
  try {
    mergeShards(shards);
  } catch (err) {
    expect(err).to.be.instanceOf(ShardError);
    return err as ShardError;
  }
  expect.fail('merged');
}

/**
 * Statistics across seeds, on real runs (real chain, proxy and clients): a two-point sweep × seeds
 * 1..3. The expected mean, standard deviation and 95 % interval are computed here, independently,
 * from the per-run rows of summary.csv and the textbook t quantile (t(0.975, 2) = 4.303), and
 * compared with stats.csv / stats.json and with the error bars embedded in the report.
 */
import { expect } from 'chai';
import { parseScenario, planRuns, renderOutputs, runAll, type OutputFiles } from '../../src/simulator/index.js';
import { estimate, STAT_METRICS, tQuantile95 } from '../../src/simulator/stats.js';

const SCENARIO = `name: stats-test
horizon: 60
tick: 20
receiver: { confirmations: 1 }
resources:
  - { path: /a, price: 5 }
senders:
  count: 3
  requestRate: 2
  arrival: poisson
  initialDeposit: 30
  topUp: 30
seeds: [1, 2, 3]
sweep:
  resources.0.price: [5, 9]
`;

/** Student's t, two-sided 95 %, from the printed tables (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2). */
const TEXTBOOK_T: [number, number][] = [
  [1, 12.706],
  [2, 4.303],
  [3, 3.182],
  [4, 2.776],
  [5, 2.571],
  [9, 2.262],
  [10, 2.228],
  [19, 2.093],
  [30, 2.042],
  [100, 1.984],
];

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  // No quoted cells here: the parameters are plain numbers.
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

describe('simulator: statistics across seeds', function () {
  this.timeout(240_000);

  it('t(0.975, df) matches the textbook table to its three decimals', () => {
    for (const [df, t] of TEXTBOOK_T) expect(tQuantile95(df), `df ${df}`).to.be.closeTo(t, 0.0005);
  });

  it('one run has no spread: sd and interval are empty, not 0', () => {
    expect(estimate([7])).to.deep.equal({ n: 1, mean: 7, sd: null, ci95: null });
    expect(estimate([2, 4, 9])).to.deep.include({ n: 3, mean: 5 });
  });

  describe('on real runs: 2 sweep points × seeds 1, 2, 3', () => {
    let files: OutputFiles;

    before(async () => {
      const { scenario, raw } = parseScenario(SCENARIO, 'stats.yaml');
      files = await renderOutputs(scenario.name, await runAll(planRuns(raw, scenario), 2));
    });

    it('summary.csv keeps one row per run', () => {
      const runs = parseCsv(files.summaryCsv);
      expect(runs.map((r) => [r.run, r.seed, r['resources.0.price']])).to.deep.equal([
        ['0', '1', '5'],
        ['1', '2', '5'],
        ['2', '3', '5'],
        ['3', '1', '9'],
        ['4', '2', '9'],
        ['5', '3', '9'],
      ]);
    });

    it('stats.csv gives per point and metric the mean, sd and 95 % Student-t interval of the per-run rows', () => {
      const runs = parseCsv(files.summaryCsv);
      const stats = parseCsv(files.statsCsv);
      expect(stats).to.have.length(2 * STAT_METRICS.length);
      let spread = 0;
      for (const row of stats) {
        const price = row['resources.0.price'];
        const values = runs.filter((r) => r['resources.0.price'] === price).map((r) => Number(r[row.metric!]));
        expect(values, `${row.metric} at price ${price}`).to.have.length(3);
        const mean = (values[0]! + values[1]! + values[2]!) / 3;
        const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
        const half = (4.303 * sd) / Math.sqrt(3);
        expect(row.point).to.equal(price === '5' ? '1' : '2');
        expect(Number(row.n)).to.equal(3);
        expect(Number(row.mean)).to.be.closeTo(mean, 1e-9 * Math.max(1, mean));
        expect(Number(row.sd)).to.be.closeTo(sd, 1e-9 * Math.max(1, sd));
        // 4.303 is the table's rounding of 4.30265: allow that, relative to the half-width.
        expect(Number(row.ci95Low)).to.be.closeTo(mean - half, 1e-4 * Math.max(1, half));
        expect(Number(row.ci95High)).to.be.closeTo(mean + half, 1e-4 * Math.max(1, half));
        if (sd > 0) spread++;
      }
      // Poisson arrivals differ by seed: some metrics really vary, so some intervals have width.
      expect(spread).to.be.greaterThan(4);
      const served = stats.filter((r) => r.metric === 'served');
      expect(served.every((r) => Number(r.ci95High) > Number(r.ci95Low))).to.equal(true);
    });

    it('stats.json says which runs and seeds each point holds', () => {
      const points = JSON.parse(files.statsJson) as { point: number; params: unknown; runs: number[]; seeds: number[] }[];
      expect(points.map((p) => [p.point, p.params, p.runs, p.seeds])).to.deep.equal([
        [1, { 'resources.0.price': 5 }, [0, 1, 2], [1, 2, 3]],
        [2, { 'resources.0.price': 9 }, [3, 4, 5], [1, 2, 3]],
      ]);
    });

    it('the sweep charts draw the intervals as error bars (embedded spec) and the report tabulates them', () => {
      const specs = [...files.report.matchAll(/<script type="application\/json" class="vega-lite">(.*?)<\/script>/g)].map(
        (m) => JSON.parse(m[1]!) as { title: { text: string }; data?: { values: { low?: number; high?: number; mean: number }[] }; layer: { mark: unknown }[] },
      );
      const earned = specs.find((s) => s.title.text === 'Earned')!;
      expect(earned.layer.some((l) => (l.mark as { type: string }).type === 'errorbar')).to.equal(true);
      const stats = parseCsv(files.statsCsv).filter((r) => r.metric === 'earned');
      expect(earned.data!.values.map((v) => [v.mean, v.low, v.high])).to.deep.equal(stats.map((r) => [Number(r.mean), Number(r.ci95Low), Number(r.ci95High)]));
      expect(files.report).to.include('Mean and 95 % confidence interval per sweep point');
    });
  });
});

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { failingCases, formatSummary, summarize, type MutationReport, type ReportMutant } from '../../scripts/mutation.js';

// The summary `npm run mutation` prints, computed from a report in Stryker's JSON format
// (mutation-testing-report-schema). The run itself takes hours: conformance/MUTATION.md has its figures.

const mutant = (id: string, status: ReportMutant['status'], line: number, extra: Partial<ReportMutant> = {}): ReportMutant => ({
  id,
  mutatorName: 'ConditionalExpression',
  replacement: 'true',
  status,
  location: { start: { line, column: 5 } },
  ...extra,
});

const report: MutationReport = {
  files: {
    'src/b.ts': {
      mutants: [mutant('1', 'Killed', 3), mutant('2', 'Survived', 9, { mutatorName: 'StringLiteral', replacement: '""' }), mutant('3', 'Timeout', 4)],
    },
    'src/a.ts': {
      mutants: [
        mutant('4', 'Killed', 1),
        mutant('5', 'NoCoverage', 7, { replacement: 'if (x) {\n    return;\n  }' }),
        mutant('6', 'Ignored', 2),
        mutant('7', 'Survived', 2),
      ],
    },
  },
};

describe('npm run mutation: the summary of the Stryker report', () => {
  it("scores killed and timed-out mutants over all but ignored ones, as Stryker's mutation score", () => {
    const s = summarize(report);
    expect(s.counts).to.include({ Killed: 2, Timeout: 1, Survived: 2, NoCoverage: 1, Ignored: 1 });
    expect(s.score).to.equal(50);
  });

  it('lists every survivor (survived or not covered) by file, line and column, on one line each', () => {
    const s = summarize(report);
    expect(s.survivors.map((m) => `${m.file}:${m.line}:${m.column} ${m.mutator} ${m.replacement}`)).to.deep.equal([
      'src/a.ts:2:5 ConditionalExpression true',
      'src/a.ts:7:5 ConditionalExpression if (x) { return; }',
      'src/b.ts:9:5 StringLiteral ""',
    ]);
    const text = formatSummary(s);
    expect(text).to.contain('mutation score 50.00 %: killed 2, timeout 1, survived 2, no coverage 1 (not counted: ignored 1');
    expect(text).to.contain('src/b.ts:9:5  StringLiteral  ""  [#2]');
  });

  it('names the cases a killed mutant failed, from the conformance output Stryker keeps', () => {
    const output = [
      '[1/3] pass  rdn/payment/2               346 ms',
      '[2/3] FAIL  rdn/payment/4               248 ms',
      '      step 4 (pay, line 58): status 200, expected 402',
      '[3/3] ERROR rdn/close/1                 20001 ms',
      'not passing',
      '  fail  rdn/payment/4: step 4 (pay, line 58)',
    ].join('\n');
    expect(failingCases(output)).to.deep.equal(['rdn/payment/4', 'rdn/close/1']);
  });

  it('mutates the files MUTATION.md names, and the rest.ts ranges are the DELETE route and its parsers', async () => {
    const configUrl = new URL('../../stryker.config.mjs', import.meta.url).href;
    const { default: config } = (await import(configUrl)) as { default: { mutate: string[]; coverageAnalysis: string; testRunner: string } };
    expect(config.testRunner).to.equal('command');
    expect(config.coverageAnalysis).to.equal('off');
    const rest = readFileSync(new URL('../../src/reference/receiver/proxy/rest.ts', import.meta.url), 'utf8').split('\n');
    const ranges = config.mutate
      .filter((m) => m.includes('rest.ts:'))
      .map((m) => {
        const [first, last] = m.split(':')[1]!.split('-').map(Number) as [number, number];
        return rest.slice(first - 1, last).join('\n');
      });
    expect(ranges.map((r) => r.split('\n')[0])).to.deep.equal([
      'function parseSender(value: string): Address {',
      'function parseOpenBlock(value: string): number {',
      'function parseBalance(value: unknown): bigint {',
      'function parseCloseBody(raw: unknown): { balance: bigint; senderSignature: string } {',
      "  app.delete('/channels/:sender/:openBlock', async (req, reply) => {",
    ]);
    for (const r of ranges) expect(r.split('\n').at(-1)).to.be.oneOf(['}', '  });']);
  });
});

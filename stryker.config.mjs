// StrykerJS: mutation testing of the conformance suite (issue 11, conformance/MUTATION.md).
//
// The mutants go into the reference receiver's decision code; the "tests" are the conformance
// cases that exercise it, run by the command test runner against the reference proxy started from
// the sandbox's mutated sources (tsx, not dist/). Stryker selects the active mutant with the
// environment variable __STRYKER_ACTIVE_MUTANT__, which the conformance runner hands on to the
// target it launches (its own environment plus the §6 variables). A mutant is killed when the run
// exits non-zero: a case failed, or errored (the mutant crashed or hung the target).
import { readFileSync } from 'node:fs';

/** The cases that exercise the mutated files (why each area is in or out: MUTATION.md). */
export const MUTATION_CASES = [
  'rdn/payment/*',
  'rdn/proof/*',
  'rdn/signature/*',
  'rdn/headers/*',
  'rdn/channel/*',
  'rdn/close/*',
  'rdn/rest/*',
  'rdn/restart/*',
  'rdn/chain/1',
  'rdn/chain/2',
];

const REST = 'src/reference/receiver/proxy/rest.ts';

/**
 * The line range `file:first-last` of a top-level function or route of rest.ts, found by its
 * opening line: the file's other routes (GET /stats, the channel lists) are not decision code.
 * Computed, not written down, so that an edit elsewhere in the file cannot shift the range.
 */
function range(file, opening, closing) {
  const lines = readFileSync(new URL(file, import.meta.url), 'utf8').split('\n');
  const first = lines.findIndex((l) => l.startsWith(opening));
  const last = lines.findIndex((l, i) => i > first && l.startsWith(closing));
  if (first < 0 || last < 0) throw new Error(`stryker.config.mjs: "${opening}" … "${closing}" not found in ${file}`);
  return `${file}:${first + 1}-${last + 1}`;
}

export default {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'command',
  commandRunner: {
    command: [
      'node --import tsx src/cli/main.ts conformance --strict --bail',
      `--target-cmd "node --import tsx src/cli/main.ts proxy"`,
      `--cases '${MUTATION_CASES.join(',')}'`,
      '--report-dir reports/conformance',
    ].join(' '),
  },
  // The command runner cannot report coverage; every mutant runs the whole selection.
  coverageAnalysis: 'off',
  concurrency: 2,
  mutate: [
    'src/reference/receiver/proxy/paywall.ts',
    'src/reference/receiver/manager/payments.ts',
    'src/reference/receiver/manager/disputes.ts',
    'src/reference/receiver/manager/closing.ts',
    // The §5 DELETE route and the parsers of what it is sent.
    range(REST, 'function parseSender(', '}'),
    range(REST, 'function parseOpenBlock(', '}'),
    range(REST, 'function parseBalance(', '}'),
    range(REST, 'function parseCloseBody(', '}'),
    range(REST, "  app.delete('/channels/:sender/:openBlock'", '  });'),
  ],
  // Only what a run needs goes into the sandboxes (node_modules is linked, not copied).
  ignorePatterns: ['/dist', '/build', '/test', '/bench', '/docs', '/fixtures', '/scripts', '/reports', '*.sqlite*'],
  // A busy machine (two cores, shared) makes a run vary by several seconds; a mutant that hangs
  // the target still ends, as a case timeout (an error: killed) or as a Stryker timeout.
  timeoutMS: 60_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 10,
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
};

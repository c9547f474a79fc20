// What a run produced, as the reporters (report.ts, console.ts, hints.ts) and the library's users
// read it: one result per case and the run around them.
import type { Outcome } from './context.js';
import type { Exchange } from './http.js';
import type { PartProbe } from './probe.js';
import type { OptionalPart } from './types.js';

export interface CaseResult {
  id: string;
  requirement: string;
  spec: string;
  level: 'MUST' | 'SHOULD';
  file: string;
  line: number;
  outcome: Outcome;
  /** known failure from --expected-failures: reported, not failing the run */
  expectedFailure?: string;
  message?: string;
  step?: number;
  stepLine?: number;
  durationMs: number;
  /** what a step observed beyond pass/fail (a fuzz stream's count of answers) */
  notes?: string[];
  /** every case that ran keeps its exchanges and chain calls (the report collapses a passing one's) */
  exchanges?: Exchange[];
  chainCalls?: string[];
}

/** A launched target that never came up: every case is an `error` with the reason; its output is here, once. */
export interface StartFailure {
  reason: string;
  output: string;
}

export interface RunResult {
  /** the uraiden-kit that ran the suite */
  kitVersion: string;
  target: string;
  strict: boolean;
  /** the optional parts (§6) and what the probe saw; absent when the target never started */
  parts?: Record<OptionalPart, PartProbe>;
  startFailure?: StartFailure;
  /** where to start when basic cases fail (see hints.ts) */
  hints: string[];
  results: CaseResult[];
  counts: Record<Outcome, number>;
  /** cases whose failure makes the run fail (fail/error not listed as expected) */
  failing: number;
  totalMs: number;
  startedAt: string;
  interrupted: boolean;
  /** with --bail: the failing case the run stopped after, and how many selected cases were not run */
  stoppedAfter?: string;
  notRun?: number;
}

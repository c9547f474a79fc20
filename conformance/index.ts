/**
 * `uraiden-kit/conformance`: the conformance suite as a library. `runConformance(options)` runs
 * the catalogue (or a selection) against a receiver — launched with the §6 environment, or
 * already running — and returns what `uraiden conformance` reports; see conformance/README.md.
 */
export {
  runConformance,
  listConformanceCases,
  ConformanceOptionError,
  CONFORMANCE_DEFAULTS,
  type ConformanceOptions,
  type ConformanceResult,
  type CaseSelection,
} from './runner/conformance.js';
export type { RunResult, CaseResult, StartFailure } from './runner/results.js';
export type { PartProbe } from './runner/probe.js';
export type { Outcome } from './runner/context.js';
export type { Exchange, HttpRequest, HttpResponse } from './runner/http.js';
export type { LoadedCase, Level, OptionalPart } from './runner/types.js';
export { CaseFormatError, type CaseProblem } from './runner/load.js';
export { ExpectedFailuresError } from './runner/select.js';
export { TargetStartError } from './runner/target.js';
export { ChainCallError, ChainAbilityError } from './runner/chain.js';
export { REPORT_FILES, toJson, toJunit, toHtml } from './runner/report.js';
export { summaryTable } from './runner/console.js';
export { AREA_ORDER } from './runner/order.js';
export { CASES_DIR } from './runner/paths.js';
export { UraidenError } from '../src/protocol/errors.js';

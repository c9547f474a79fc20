/** The economic simulator: scenarios, runs, sweeps, outputs. See docs/SIMULATOR.md. */
export {
  loadScenario,
  parseScenario,
  toScenario,
  setPath,
  SCENARIO_SPEC,
  type Scenario,
  type LoadedScenario,
  type ResourceSpec,
  type OfflineWindow,
} from './scenario.js';
export { ScenarioError, SimulationError, ShardError } from './errors.js';
export { planRuns, specOf, parseSeeds, type RunTicket } from './plan.js';
export { simulate, defaultSenderThreads, type SimulateOptions } from './run.js';
export type { RunSpec, RunResult, Row, Cell, RunSummary } from './types.js';
export { runAll } from './pool.js';
export {
  parseShard,
  selectShard,
  shardLabel,
  makeShardFile,
  writeShard,
  readShard,
  mergeShards,
  SHARD_FILE,
  type Shard,
  type ShardFile,
  type ReadShard,
} from './shard.js';
export { renderOutputs, writeOutputs, toCsv, type OutputFiles } from './output.js';
export { METRIC_COLUMNS, paramCell } from './metrics.js';
export { UraidenError } from '../protocol/errors.js';

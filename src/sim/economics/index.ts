/** The economic simulator: scenarios, runs, sweeps, outputs. See docs/SIMULATOR.md. */
export { loadScenario, parseScenario, toScenario, setPath, SCENARIO_SPEC, type Scenario, type LoadedScenario, type ResourceSpec, type OfflineWindow } from './scenario.ts';
export { ScenarioError, SimulationError } from './errors.ts';
export { planRuns, specOf, parseSeeds, type RunTicket } from './plan.ts';
export { simulate, type RunSpec, type RunResult } from './run.ts';
export { runAll } from './pool.ts';
export { renderOutputs, writeOutputs, toCsv, type OutputFiles } from './output.ts';
export { METRIC_COLUMNS, type Row, type RunSummary } from './metrics.ts';

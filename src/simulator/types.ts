/** What one simulation run is given and what it gives back: its spec, its table rows, its summary. */
import type { OfflineWindow, Scenario } from './scenario.js';

export type Cell = string | number;
export type Row = Record<string, Cell>;

export interface RunSpec {
  run: number;
  seed: number;
  /** the swept fields of this run, dotted path → value as written in the scenario */
  params: Record<string, unknown>;
  scenario: Scenario;
}

export interface RunResult {
  rows: Row[];
  summary: RunSummary;
}

export interface RunSummary {
  run: number;
  seed: number;
  name: string;
  params: Record<string, Cell>;
  /** the last row's metrics */
  final: Row;
  senders: number;
  cheaters: number;
  /** the scenario's receiver.offline windows [from, to), in blocks (the report shades them) */
  offline: OfflineWindow[];
  /** requests drawn but neither served nor refused when the horizon ended */
  pendingRequests: number;
  /** peak and mean of `locked` over the ticks */
  lockedPeak: string;
  lockedMean: string;
  /** refusals other than offline, by error code */
  errors: Record<string, number>;
  /** tokens: what senders lost = what the receiver gained + what the contract still holds */
  conservation: { senderLoss: string; receiverGain: string; contractHeld: string; holds: boolean };
  /** every close request below the paid balance: who, claimed vs paid, and how it ended */
  cheatCases: { sender: string; openBlock: number; claimed: string; paid: string; outcome: string }[];
}

/**
 * Runs tickets on `workers` child processes (not threads: every run owns an in-process ganache,
 * and a process keeps each one's memory and event loop apart). Results are returned in the
 * tickets' order (run order; a shard's tickets are a subset), whichever worker finished first, so
 * the output does not depend on scheduling. One worker, or one run, runs in this process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimulationError } from './errors.js';
import { specOf, type RunTicket } from './plan.js';
import { simulate, type SimulateOptions } from './run.js';
import type { RunResult } from './types.js';

// worker.js next to this file in the package; worker.ts when the sources run through tsx, which
// a forked worker then needs too.
const HERE = fileURLToPath(import.meta.url);
const FROM_SOURCE = HERE.endsWith('.ts');
const WORKER = path.join(path.dirname(HERE), FROM_SOURCE ? 'worker.ts' : 'worker.js');

type Reply = { ready: true } | { ok: true; run: number; result: RunResult } | { ok: false; run: number; error: string };

export async function runAll(tickets: RunTicket[], workers: number, onDone?: (run: number) => void, options: SimulateOptions = {}): Promise<RunResult[]> {
  const results: RunResult[] = new Array(tickets.length);
  const position = new Map(tickets.map((t, i) => [t.run, i]));
  if (workers <= 1 || tickets.length <= 1) {
    for (const [i, t] of tickets.entries()) {
      try {
        results[i] = await simulate(specOf(t), options);
      } catch (err) {
        throw new SimulationError(t.run, (err as Error).message, { cause: err });
      }
      onDone?.(t.run);
    }
    return results;
  }
  const queue = [...tickets];
  const children: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.min(workers, tickets.length) }, async () => {
        const child = fork(WORKER, [], {
          execArgv: FROM_SOURCE ? ['--import', 'tsx'] : [],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          serialization: 'advanced',
        });
        children.push(child);
        await drain(child, queue, options, (run, result) => {
          results[position.get(run)!] = result;
          onDone?.(run);
        });
      }),
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
  return results;
}

/** Feeds one worker tickets until the queue is empty. */
function drain(child: ChildProcess, queue: RunTicket[], options: SimulateOptions, done: (run: number, result: RunResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let current: RunTicket | undefined;
    const next = (): void => {
      current = queue.shift();
      if (!current) {
        child.removeAllListeners('exit');
        child.disconnect();
        resolve();
        return;
      }
      child.send({ ticket: current, options });
    };
    child.on('message', (msg: Reply) => {
      if ('ready' in msg) return next();
      if (!msg.ok) return reject(new SimulationError(msg.run, msg.error));
      done(msg.run, msg.result);
      next();
    });
    child.once('exit', (code, signal) => reject(new SimulationError(current?.run ?? -1, `worker exited (${signal ?? code}) before finishing`)));
    child.once('error', reject);
  });
}

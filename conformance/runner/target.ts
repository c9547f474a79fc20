// The implementation under test, seen from outside: either a process the runner launches with
// the §6 environment (and may restart), or a URL of one already running (never restarted).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { send, TransportError } from './http.js';
import { UraidenError } from '../../src/protocol/errors.js';

export interface Target {
  readonly baseUrl: URL;
  readonly canRestart: boolean;
  /** Starts it (launched targets) and waits until `GET /echofix/ready` answers. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after the grace period. */
  stop(): Promise<void>;
  /** If a launched target died on its own, start it again; returns why, or undefined if alive. */
  revive(): Promise<string | undefined>;
  /**
   * After a case that lost the connection: wait up to `ms` for a launched target that is dying to
   * be seen exiting, so that the next case's revive() starts it again instead of failing on it.
   */
  settle(ms: number): Promise<void>;
  /** Last lines the target wrote on stderr/stdout (for error messages). */
  tail(): string;
}

/** The target did not come up: exited, or never answered the readiness probe. */
export class TargetStartError extends UraidenError {
  readonly command: string;
  /** why, in one line, without the output */
  readonly reason: string;
  /** its last lines of output */
  readonly output: string;
  /** it exited by itself right after its launch: starting it again would only do the same */
  readonly exitedAtOnce: boolean;
  constructor(command: string, reason: string, output: string, exitedAtOnce = false) {
    super('TARGET_START', `target "${command}" ${reason}${output ? `; its last output:\n${output}` : ''}`);
    this.command = command;
    this.reason = reason;
    this.output = output;
    this.exitedAtOnce = exitedAtOnce;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `GET /echofix/ready` until any HTTP answer (§6), the process exits, or the deadline. */
async function waitReady(base: URL, deadlineMs: number, exited: () => string | undefined): Promise<string | undefined> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const gone = exited();
    if (gone) return gone;
    try {
      await send(base, { method: 'GET', path: '/echofix/ready', headers: {} }, 1000);
      return undefined;
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
    }
    await sleep(20);
  }
  return `did not answer GET /echofix/ready within ${deadlineMs} ms`;
}

export function externalTarget(url: string): Target {
  const baseUrl = new URL(url);
  return {
    baseUrl,
    canRestart: false,
    async start() {
      const why = await waitReady(baseUrl, 10_000, () => undefined);
      if (why) throw new TargetStartError(url, why, '');
    },
    async stop() {},
    async revive() {
      return undefined;
    },
    async settle() {},
    tail: () => '',
  };
}

export interface LaunchOptions {
  command: string;
  env: Record<string, string>;
  port: number;
  readyTimeoutMs: number;
  stopGraceMs: number;
  /** an exit within this long of the launch is "at once" (a crash at start, a wrong command) */
  atOnceMs: number;
  /** echo the target's output to our stderr (debugging) */
  verbose?: boolean;
}

export function launchedTarget(opts: LaunchOptions): Target {
  const baseUrl = new URL(`http://127.0.0.1:${opts.port}`);
  let child: ChildProcess | undefined;
  let exitInfo: string | undefined;
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (opts.verbose) process.stderr.write(text);
    lines.push(...text.split('\n').filter((l) => l.trim() !== ''));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };

  const start = async () => {
    exitInfo = undefined;
    const launched = Date.now();
    let exitedAtOnce = false;
    // Own process group (detached), so stop() reaches the shell and everything it started.
    const c = spawn('/bin/sh', ['-c', opts.command], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child = c;
    const drained = new Promise<void>((r) => c.once('close', () => r()));
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    c.on('exit', (code, signal) => {
      // No duration in the text: it goes into the reports, which two runs must write alike.
      exitedAtOnce = Date.now() - launched < opts.atOnceMs;
      exitInfo = `exited with ${signal ?? `code ${code}`}${exitedAtOnce ? ` at once, within ${opts.atOnceMs / 1000} s of its launch` : ''}`;
      if (child === c) child = undefined;
    });
    const why = await waitReady(baseUrl, opts.readyTimeoutMs, () => exitInfo);
    if (why) {
      await stop();
      // the last output of a process that has just exited may still be in the pipes
      if (exitInfo) await Promise.race([drained, sleep(500)]);
      throw new TargetStartError(opts.command, why, lines.slice(-15).join('\n'), exitInfo !== undefined && exitedAtOnce);
    }
  };

  const stop = async () => {
    const c = child;
    if (!c || c.pid === undefined) return;
    const done = new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-(c.pid as number), s);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const graceful = await Promise.race([done.then(() => true), sleep(opts.stopGraceMs).then(() => false)]);
    if (!graceful) {
      signal('SIGKILL');
      await done;
    }
    // the shell may be gone while a grandchild still holds the port: make sure the group is dead
    signal('SIGKILL');
    child = undefined;
  };

  return {
    baseUrl,
    canRestart: true,
    start,
    stop,
    async revive() {
      if (child) return undefined;
      const why = exitInfo ?? 'was not running';
      await start();
      return `the target ${why}; restarted it`;
    },
    async settle(ms) {
      const c = child;
      if (!c) return;
      await Promise.race([new Promise<void>((r) => c.once('exit', () => r())), sleep(ms)]);
    },
    tail: () => lines.slice(-15).join('\n'),
  };
}

/** A minimal leveled logger; the manager logs instead of throwing whenever it can carry on. */
import type { Logger } from './model.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

export function consoleLogger(level: LogLevel = 'info', prefix = 'receiver'): Logger {
  const at = ORDER[level];
  const line = (l: Exclude<LogLevel, 'silent'>, msg: string): void => {
    if (ORDER[l] < at) return;
    const text = `${new Date().toISOString()} ${prefix} ${l}: ${msg}`;
    if (l === 'error' || l === 'warn') console.error(text);
    else console.log(text);
  };
  return {
    debug: (m) => line('debug', m),
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
  };
}

/** Collects lines in memory (tests assert on what was logged). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (l: string) => (m: string) => void lines.push(`${l}: ${m}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

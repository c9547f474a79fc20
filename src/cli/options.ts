/**
 * Option parsers shared by the subcommands. They throw commander's InvalidArgumentError, which
 * the program turns into a one-line usage error and exit code 2.
 */
import { InvalidArgumentError } from 'commander';

/** Exit code for a usage error (bad flag or value), as conventional for CLI tools. */
export const USAGE_EXIT_CODE = 2;

/** A decimal integer in [min, max]; refuses "1.5", "0x10", "12abc", "" (Number() would not). */
export function integerOption(min: number, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('not an integer.');
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be between ${min} and ${max}.`);
    return n;
  };
}

export function nonEmptyOption(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return value;
}

/** An http: or https: URL (a JSON-RPC endpoint), kept as written. */
export function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http(s) URL');
  return value;
}

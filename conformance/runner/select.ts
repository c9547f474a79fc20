// Which cases a run executes: id globs (`*` = any run of characters except `/`, `**` = anything),
// levels and a regular expression on the requirement; and the known-failures file.
import { readFile } from 'node:fs/promises';
import type { Level, LoadedCase } from './types.js';
import { UraidenError } from '../../src/protocol/errors.js';

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The cases matching any of the id globs (none: all), at one of the levels, and whose requirement
 * matches `grep` (a regular expression, case-insensitive) when given.
 */
export function selectCases(cases: LoadedCase[], globs: string[], levels: Level[], grep?: RegExp): LoadedCase[] {
  // `rdn/payment` selects the whole area, as `rdn/payment/*` does
  const res = globs.map((g) => globToRegExp(/^rdn\/[a-z0-9-]+$/.test(g) ? `${g}/*` : g));
  return cases.filter(
    (c) => levels.includes(c.level) && (res.length === 0 || res.some((r) => r.test(c.id))) && (grep === undefined || grep.test(c.requirement)),
  );
}

/** The file's cases must be a JSON array of ids or an object id → reason. */
export class ExpectedFailuresError extends UraidenError {
  readonly file: string;
  constructor(file: string, reason: string) {
    super('EXPECTED_FAILURES', `--expected-failures ${file}: ${reason}`);
    this.file = file;
  }
}

export async function readExpectedFailures(file: string): Promise<Map<string, string>> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ExpectedFailuresError(file, err instanceof Error ? err.message : String(err));
  }
  const out = new Map<string, string>();
  if (Array.isArray(data)) {
    for (const x of data) {
      if (typeof x !== 'string') throw new ExpectedFailuresError(file, `not a case id: ${JSON.stringify(x)}`);
      out.set(x, '');
    }
  } else if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) out.set(k, typeof v === 'string' ? v : '');
  } else throw new ExpectedFailuresError(file, 'expected an array of case ids or an object { id: reason }');
  return out;
}

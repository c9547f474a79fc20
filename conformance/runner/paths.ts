// Where the runner finds what it ships with: the cases, their schema, and the `uraiden` command
// (for --self). Resolved from the package root, the first folder above this file with a
// package.json, so the same code works from the sources (conformance/runner) and from the
// compiled package (dist/conformance/runner).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const CASES_DIR = path.join(PACKAGE_ROOT, 'conformance', 'cases');
export const SCHEMA_FILE = path.join(PACKAGE_ROOT, 'conformance', 'schema', 'case.schema.json');
/** The kit's own CLI, which `--self` launches as `uraiden proxy`. */
export const CLI_BIN = path.join(PACKAGE_ROOT, 'bin', 'uraiden.js');

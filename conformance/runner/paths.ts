// Where the runner finds what the package ships beside its code: the cases, their schema, and the
// `uraiden` command (which --self launches as `uraiden proxy`).
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/package.js';

export const CASES_DIR = path.join(PACKAGE_ROOT, 'conformance', 'cases');
export const SCHEMA_FILE = path.join(PACKAGE_ROOT, 'conformance', 'schema', 'case.schema.json');
export const CLI_BIN = path.join(PACKAGE_ROOT, 'bin', 'uraiden.js');

#!/usr/bin/env node
// The `uraiden` command: the compiled CLI in dist/ (built by `npm run build`, shipped by `npm pack`).
try {
  await import('../dist/src/cli/main.js');
} catch (err) {
  // Only in a clone that was never built; an installed package always has dist/.
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('uraiden: dist/ is missing: run `npm run build` in this clone first\n');
    process.exit(1);
  }
  throw err;
}

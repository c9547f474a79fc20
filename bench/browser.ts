/**
 * `npm run bench:browser`: the size of the browser client against its budget (60 kB minified +
 * gzipped). Two bundles, made the way scripts/bundle-browser.ts makes the served one (esbuild,
 * platform browser, from the compiled dist/): the library alone (`uraiden-kit/browser`, what a
 * site's own bundler takes) and the served /_rdn/web-client.js (the library and the paywall
 * page). Also what the library's bundle is made of, largest input first. Figures, never assertions.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { browserBundleOptions } from '../scripts/bundle-browser.js';

const BUDGET = 60 * 1024;

async function measure(entry: string) {
  const result = await build({ ...browserBundleOptions(entry), write: false, metafile: true, outfile: 'out.js' });
  const code = result.outputFiles[0]!.contents;
  const inputs = Object.entries(result.metafile.outputs['out.js']!.inputs).map(([file, { bytesInOutput }]) => ({ file, bytes: bytesInOutput }));
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length, inputs };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const rows = [
  ['library (uraiden-kit/browser)', await measure('index.js')],
  ['served /_rdn/web-client.js', await measure('web-client.js')],
] as const;

console.log('bundle                          minified   min+gzip   budget 60 kB');
for (const [name, m] of rows) {
  console.log(
    `${name.padEnd(31)} ${kb(m.minified).padStart(8)}   ${kb(m.gzipped).padStart(8)}   ${((m.gzipped / BUDGET) * 100).toFixed(0).padStart(3)} % of it`,
  );
}

// Group the library's inputs by package (or by the kit's folder), bytes in the minified output.
const groups = new Map<string, number>();
for (const { file, bytes } of rows[0][1].inputs) {
  const key = file.includes('node_modules/')
    ? file.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
    : file.replace(/^dist\/src\/([^/]+).*/, 'kit: src/$1');
  groups.set(key, (groups.get(key) ?? 0) + bytes);
}
console.log('\nlibrary bundle by input (minified, before gzip)');
for (const [key, bytes] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`  ${key.padEnd(28)} ${kb(bytes).padStart(8)}`);

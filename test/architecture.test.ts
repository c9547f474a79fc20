/**
 * The package's shape: imports point down the layers with no cycle (dependency-cruiser with
 * .dependency-cruiser.cjs), and every error class a caller of an entry point can receive is
 * exported by that entry point.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Cruise {
  modules: { source: string; dependencies: { resolved: string; dynamic: boolean }[] }[];
  summary: { violations: { rule: { name: string }; from: string; to: string }[] };
}

async function cruise(cwd: string, dirs: string[]): Promise<Cruise> {
  // depcruise exits non-zero when it finds violations; the JSON on stdout is what counts.
  const out = await promisify(execFile)(process.execPath, [DEPCRUISE, ...dirs, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  return JSON.parse(out.stdout) as Cruise;
}

const violations = (c: Cruise) => c.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);

describe('architecture: layers and cycles (dependency-cruiser)', () => {
  let kit: Cruise;
  before(async function () {
    this.timeout(60_000);
    kit = await cruise(ROOT, ['src', 'conformance']);
  });

  it('no import goes up the layers and none closes a cycle', () => {
    expect(kit.modules.length).to.be.greaterThan(100);
    expect(violations(kit)).to.deep.equal([]);
  });

  it('the rules catch an import against the layer order and a cycle (a broken copy of the tree)', async function () {
    this.timeout(60_000);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'uraiden-layers-'));
    try {
      await copyFile(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
      await copyFile(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
      const files: Record<string, string> = {
        'src/protocol/hash.ts': "import type { Chain } from '../sim/chain.js';\nexport type Up = Chain;\n",
        'src/sim/chain.ts': 'export interface Chain { id: number }\n',
        'src/reference/sender/a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
        'src/reference/sender/b.ts': "import type { a } from './a.js';\nexport const b = (): number => 1;\nexport type A = typeof a;\n",
        'conformance/runner/x.ts': "import { a } from '../../src/reference/sender/a.js';\nexport const x = a;\n",
      };
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), text);
      }
      const found = violations(await cruise(dir, ['src', 'conformance']));
      expect(found).to.include('protocol-is-the-bottom: src/protocol/hash.ts → src/sim/chain.ts');
      expect(found).to.include('conformance-never-imports-the-reference: conformance/runner/x.ts → src/reference/sender/a.ts');
      expect(found.filter((v) => v.startsWith('no-cycles:'))).to.have.length.greaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('every error class a caller can receive is exported by the entry point of the layer that throws it', () => {
    // Each entry owns its layer's folder; an error thrown below it (say the protocol's
    // InvalidAddressError under the receiver) is exported by the entry of the layer that throws it.
    // Every entry exports UraidenError, the base of all of them.
    const ENTRIES: Record<string, { file: string; owns: RegExp }> = {
      'uraiden-kit': { file: 'src/index.ts', owns: /^$/ },
      'uraiden-kit/protocol': { file: 'src/protocol/index.ts', owns: /^src\/protocol\// },
      'uraiden-kit/contracts': { file: 'src/contracts/index.ts', owns: /^src\/contracts\// },
      'uraiden-kit/chain': { file: 'src/sim/index.ts', owns: /^src\/sim\// },
      'uraiden-kit/receiver': { file: 'src/reference/receiver/index.ts', owns: /^src\/reference\/receiver\// },
      'uraiden-kit/sender': { file: 'src/reference/sender/index.ts', owns: /^src\/reference\/sender\// },
      'uraiden-kit/conformance': { file: 'conformance/index.ts', owns: /^conformance\// },
      'uraiden-kit/simulator': { file: 'src/simulator/index.ts', owns: /^src\/simulator\// },
      'uraiden-kit/browser': { file: 'src/browser/index.ts', owns: /^src\/browser\// },
    };
    /** Errors that never leave the module that throws them (control flow, caught where thrown). */
    const INTERNAL = new Set(['ChainMovedError', 'Mismatch', 'CaseAbort', 'DeferredRequest']);

    for (const [entry, { file, owns }] of Object.entries(ENTRIES)) {
      it(entry, async () => {
        const deps = new Map(kit.modules.map((m) => [m.source, m.dependencies.map((d) => d.resolved)]));
        // Every module the entry loads, statically or on demand.
        const reached = new Set<string>([file]);
        for (const m of reached) for (const d of deps.get(m) ?? []) if (/^(src|conformance)\//.test(d)) reached.add(d);
        const ours = [...deps.keys()].filter((m) => /^(src|conformance)\//.test(m));
        const sources = await Promise.all(ours.map(async (m) => [m, await readFile(path.join(ROOT, m), 'utf8')] as const));
        // The kit's error hierarchy, by class name → parent class name.
        const parent = new Map<string, string>();
        for (const [, text] of sources) for (const [, name, base] of text.matchAll(/class (\w+) extends (\w+)/g)) parent.set(name!, base!);
        const isKitError = (name: string): boolean => name === 'UraidenError' || (parent.has(name) && isKitError(parent.get(name)!));
        const thrown = new Set<string>(['UraidenError']);
        for (const [m, text] of sources) {
          if (!reached.has(m) || !owns.test(m)) continue;
          for (const [, name] of text.matchAll(/throw new (\w+)\(/g)) if (isKitError(name!) && !INTERNAL.has(name!)) thrown.add(name!);
        }
        const exported = (await import(path.join(ROOT, file))) as Record<string, unknown>;
        const missing = [...thrown].filter((name) => !(name in exported)).sort();
        expect(missing, `thrown under ${entry} but not exported by it`).to.deep.equal([]);
      });
    }
  });
});

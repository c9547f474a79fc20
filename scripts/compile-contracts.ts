/**
 * Compiles contracts/*.sol with the pinned solc-js and writes build/contracts/<Name>.json
 * for the deployable contracts. Run by `npm run build:contracts`.
 *
 * Deterministic on purpose: sources are named by their path relative to the repo root and fed
 * in sorted order, so the metadata hash (and hence the bytecode) is the same on every machine.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONTRACTS_DIR = path.join(ROOT, 'contracts');
const OUT_DIR = path.join(ROOT, 'build', 'contracts');

/** Only these get artifacts; interfaces and libraries are compiled but not emitted. */
export const DEPLOYABLE = ['RaidenMicroTransferChannels', 'TestToken', 'ChannelDelegate'] as const;

/**
 * ganache 7.9.2 runs shanghai by default; solc 0.8.37 would otherwise target a newer EVM
 * (e.g. emit MCOPY/TSTORE) that ganache cannot execute. High optimizer runs: deployment is
 * rare, channel operations are what users pay for.
 */
export const SETTINGS = {
  evmVersion: 'shanghai',
  viaIR: true,
  optimizer: { enabled: true, runs: 1_000_000 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

interface SolcError {
  severity: 'error' | 'warning' | 'info';
  formattedMessage: string;
}
interface SolcContract {
  abi: unknown[];
  evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
}
interface SolcOutput {
  errors?: SolcError[];
  contracts?: Record<string, Record<string, SolcContract>>;
}

async function readSources(): Promise<Record<string, { content: string }>> {
  const files = (await readdir(CONTRACTS_DIR)).filter((f) => f.endsWith('.sol')).sort();
  const sources: Record<string, { content: string }> = {};
  for (const file of files) {
    sources[`contracts/${file}`] = { content: await readFile(path.join(CONTRACTS_DIR, file), 'utf8') };
  }
  return sources;
}

/** Every source is passed in up front, so any import solc still asks for is a mistake. */
function findImport(importPath: string): { contents: string } | { error: string } {
  return { error: `import not found: ${importPath} (all sources must live in contracts/)` };
}

async function main(): Promise<void> {
  const sources = await readSources();
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput;

  const problems = output.errors ?? [];
  for (const problem of problems.filter((p) => p.severity !== 'error')) console.warn(problem.formattedMessage);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    for (const error of errors) console.error(error.formattedMessage);
    console.error(`compile-contracts: ${errors.length} error(s), no artifacts written`);
    process.exit(1);
  }

  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  for (const name of DEPLOYABLE) {
    const sourceName = `contracts/${name}.sol`;
    const compiled = output.contracts?.[sourceName]?.[name];
    if (!compiled) {
      console.error(`compile-contracts: ${name} not found in ${sourceName}`);
      process.exit(1);
    }
    const artifact = {
      contractName: name,
      sourceName,
      abi: compiled.abi,
      bytecode: `0x${compiled.evm.bytecode.object}`,
      deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
      compiler: { name: 'solc', version: solc.version() },
      settings: { evmVersion: SETTINGS.evmVersion, optimizer: SETTINGS.optimizer },
    };
    await writeFile(path.join(OUT_DIR, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
    console.log(`compiled ${name}: ${(compiled.evm.deployedBytecode.object.length / 2).toFixed(0)} bytes runtime`);
  }
}

await main();

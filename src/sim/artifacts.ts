/**
 * Reads the compiled contracts that `npm run build:contracts` writes to build/contracts.
 * Runtime code that deploys uses the typechain factories instead; this is for code that needs
 * the raw ABI or bytecode (the REST API's `manager_abi`, tools in other languages, benches).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UraidenError } from '../protocol/errors.ts';

export const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/contracts');

export type ContractName = 'RaidenMicroTransferChannels' | 'TestToken' | 'ChannelDelegate';

export interface Artifact {
  contractName: string;
  sourceName: string;
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
  compiler: { name: string; version: string };
  settings: Record<string, unknown>;
}

/** The artifact is missing or unreadable: the contracts were not built (or the build is stale). */
export class ArtifactNotFoundError extends UraidenError {
  readonly contractName: string;
  readonly file: string;

  constructor(contractName: string, file: string, options?: ErrorOptions) {
    super('ARTIFACT_NOT_FOUND', `no contract artifact for ${contractName} at ${file}: run \`npm run build\` first`, options);
    this.contractName = contractName;
    this.file = file;
  }
}

export async function loadArtifact(name: ContractName, dir: string = ARTIFACTS_DIR): Promise<Artifact> {
  const file = path.join(dir, `${name}.json`);
  let artifact: Artifact;
  try {
    artifact = JSON.parse(await readFile(file, 'utf8')) as Artifact;
  } catch (cause) {
    throw new ArtifactNotFoundError(name, file, { cause });
  }
  if (!Array.isArray(artifact.abi) || typeof artifact.bytecode !== 'string' || !artifact.bytecode.startsWith('0x')) {
    throw new ArtifactNotFoundError(name, file);
  }
  return artifact;
}

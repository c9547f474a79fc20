/**
 * The `uraiden` program. Each subcommand lives in its own file and exports a function that adds
 * it to the program; to add one, import it here and append it to REGISTRARS.
 */
import { Command, CommanderError } from 'commander';
import { registerChainCommand } from './chain.js';
import { registerClientCommand } from './client.js';
import { registerProxyCommand } from './proxy.js';
import { registerConformanceCommand } from './conformance.js';
import { registerDeployCommand } from './deploy.js';
import { registerSimulateCommand } from './simulate.js';
import { PACKAGE_VERSION } from '../package.js';
import { USAGE_EXIT_CODE } from './options.js';

export type Registrar = (program: Command) => void;

const REGISTRARS: Registrar[] = [
  registerChainCommand,
  registerDeployCommand,
  registerClientCommand,
  registerProxyCommand,
  registerConformanceCommand,
  registerSimulateCommand,
];

export function buildProgram(): Command {
  const program = new Command('uraiden')
    .description('µRaiden test harness and conformance kit')
    .version(PACKAGE_VERSION, '-V, --version', 'print the version of uraiden-kit')
    .showSuggestionAfterError(true)
    // A command's options belong to it, not to its parent: `simulate merge D… --out X` gives --out
    // to merge (commander needs this on every level above a nested subcommand).
    .enablePositionalOptions();
  for (const register of REGISTRARS) register(program);
  configureRecursively(program);
  return program;
}

/**
 * Commander would print its error (sometimes over several lines, with help) and exit 1; the kit
 * promises one line on stderr and exit code 2, so errors are thrown and reported by runCli.
 * Applied to every command, including ones registered with addCommand (which inherit nothing).
 */
function configureRecursively(command: Command): void {
  command.exitOverride().configureOutput({ outputError: () => undefined });
  for (const sub of command.commands) configureRecursively(sub);
}

/** Runs the program; resolves with the exit code a bad invocation should end with, if any. */
export async function runCli(argv: string[], stderr: (line: string) => void = (l) => process.stderr.write(l)): Promise<number | undefined> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return undefined;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version also arrive here, with exit code 0.
      if (err.exitCode === 0) return 0;
      // No subcommand: commander has already shown the help on stderr.
      if (err.code === 'commander.help') return USAGE_EXIT_CODE;
      stderr(`uraiden: ${oneLine(err.message.replace(/^error: /, ''))}\n`);
      return USAGE_EXIT_CODE;
    }
    stderr(`uraiden: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

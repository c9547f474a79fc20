/** Entry point run by bin/uraiden.js. Long-running subcommands keep the process alive themselves. */
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
if (code !== undefined) process.exit(code);

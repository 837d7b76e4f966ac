// The command line. A plain run (`--onetime --confdir DIR ...`) and a lone
// --version go straight to the run or the answer, without loading yargs or
// the other commands; every other command
// line, and any run flag spelled in a way plain-run.ts leaves to yargs, goes
// through yargs-main.ts (usage, --help, --version, the other commands).
import { VERSION } from '../version.js';
import { confdArgs } from './confd-args.js';
import { plainRunArgs } from './plain-run.js';

export const main = async (argv: readonly string[]): Promise<void> => {
  // The arguments after node and the script (or after the single executable, which Node lists twice).
  const args = confdArgs(argv.slice(2));
  // `switchyard --version` alone, as scripts ask it: what yargs would print, without loading yargs.
  if (args.length === 1 && args[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const plain = plainRunArgs(args);
  if (plain) return (await import('./run-command.js')).runCommandLazily(plain);
  return (await import('./yargs-main.js')).main(args);
};

// Not a top-level await: the bundle is CommonJS. A rejection ends the process as an uncaught error.
void main(process.argv);

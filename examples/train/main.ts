/** Entry point of `npm start` and `npx simdopt-train`: runs the CLI on this process's arguments. */
import { main } from './cli.js';

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  tty: Boolean(process.stderr.isTTY),
  columns: process.stderr.columns,
});
process.exitCode = code;

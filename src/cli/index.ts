// Process entry of the `glomo` CLI (imported by bin/glomo.mjs): wires run() to argv, env, stdout/stderr and the exit code.
import { run } from './main.js';

process.exitCode = await run(process.argv.slice(2), process.env, {
  out: (s) => console.log(s),
  err: (s) => console.error(s),
});

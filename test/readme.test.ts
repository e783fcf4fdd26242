// The README's quick-start example, run as written (with bash and curl) against a server started as `npm start`
// starts it: only the address and the data folder are this test's own.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/app.js';
import { launch, listening, type Started } from './support/processes.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const started: Started[] = [];
afterAll(() => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

/** The README's shell blocks that call the API (those using $KEY), indented ones (in lists) too. */
function apiExamples(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((block) => block.includes('$KEY'));
}

describe("the README's examples", () => {
  it('run as written: every curl answers 2xx, the sample document included', async () => {
    const blocks = apiExamples();
    expect(blocks.length).toBeGreaterThan(0);
    const dataDir = tempDir('readme');
    const server = launch({ DATA_DIR: dataDir });
    started.push(server);
    const url = await listening(server);
    // One script, in the README's order (later blocks use the quick start's $KEY).
    const script = blocks.join('\n').replaceAll('http://127.0.0.1:4000', url).replaceAll('./data/', `${dataDir}/`);
    // curl fails (-f) on a 4xx or 5xx, and the script stops at the first failure; each answer is printed on its line.
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', `curl() { command curl -sS -f "$@"; echo; }\n${script}`], { cwd: ROOT });
    const answers = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(answers).toHaveLength((script.match(/^\s*curl /gm) ?? []).length);
    const [customer, document, clock] = answers;
    expect(customer).toMatchObject({ id: expect.stringMatching(/^cust_/), name: 'John Doe' });
    expect(document).toMatchObject({ id: expect.stringMatching(/^doc_/) });
    expect(clock).toMatchObject({ offset_seconds: 7_776_000 });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);
});

// The `glomo` CLI against a real server over HTTP: one server (PGlite, or DATABASE_URL when set) for the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startServer, type RunningServer } from '../server.js';
import { run } from './main.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';

let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'glomo-cli-test-'));
  server = await startServer(
    loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      ADMIN_TOKEN,
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    }),
  );
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

interface CliResult {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { GLOMO_URL: server.url, ADMIN_TOKEN, ...env }, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface CreatedJson {
  id: string;
  name: string;
  email?: string;
  secret_key: string;
  public_key: string;
  production_secret_key: string;
  production_public_key: string;
}

async function createMerchant(name: string): Promise<CreatedJson> {
  const result = await cli(['merchant', 'create', '--name', name, '--json']);
  expect(result).toMatchObject({ code: 0, err: '' });
  return JSON.parse(result.out) as CreatedJson;
}

async function customersStatus(secretKey: string): Promise<number> {
  const response = await fetch(`${server.url}/api/v1/customer`, { headers: { authorization: `Bearer ${secretKey}` } });
  await response.arrayBuffer();
  return response.status;
}

describe('glomo CLI', () => {
  it('prints usage for help, --help and no arguments without needing a token', async () => {
    for (const args of [['help'], ['--help'], ['-h'], []]) {
      const result = await cli(args, { ADMIN_TOKEN: undefined });
      expect(result.code).toBe(0);
      expect(result.out).toContain('glomo merchant create --name NAME');
      expect(result.out).toContain('glomo merchant keys reissue ID');
      expect(result.out).toContain('ADMIN_TOKEN');
      expect(result.out).toContain('GLOMO_URL');
      expect(result.err).toBe('');
    }
  });

  it('creates a merchant, printing its id and keys, and lists it', async () => {
    const created = await cli(['merchant', 'create', '--name', 'Acme Imports', '--email', 'ops@acme.example']);
    expect(created.code).toBe(0);
    expect(created.err).toBe('');
    const id = /Created merchant (merch_\w+)/.exec(created.out)?.[1];
    expect(id).toBeDefined();
    expect(created.out).toContain('Acme Imports');
    expect(created.out).toContain('ops@acme.example');
    expect(created.out).toMatch(/publishable key:\s+test_\w+/);
    expect(created.out).toMatch(/publishable key:\s+live_\w+/);
    expect(created.out).toMatch(/secret key:\s+eyJ[\w-]+\.[\w-]+\.[\w-]+/);

    // 100 per page: on a shared PostgreSQL database other test files create merchants at the same time.
    const list = await cli(['merchant', 'list', '--per-page', '100']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ID\s+NAME\s+EMAIL\s+STATUS\s+CREATED_AT$/m);
    const row = list.out.split('\n').find((line) => line.startsWith(id!));
    expect(row).toMatch(/Acme Imports\s+ops@acme\.example\s+active\s+\d{4}-\d{2}-\d{2}T/);
    expect(list.out).toMatch(/Page 1 of \d+ \(\d+ merchants?, 100 per page\)/);

    const show = await cli(['merchant', 'show', id!]);
    expect(show.code).toBe(0);
    expect(show.out).toContain(id!);
    expect(show.out).toMatch(/name:\s+Acme Imports/);
  });

  it('prints the raw response with --json', async () => {
    const merchant = await createMerchant('Json Co');
    expect(merchant.id).toMatch(/^merch_/);
    expect(merchant.name).toBe('Json Co');
    expect(typeof merchant.secret_key).toBe('string');
    expect(merchant.secret_key.length).toBeGreaterThan(0);
    expect(merchant.public_key).toMatch(/^test_/);
    expect(merchant.production_public_key).toMatch(/^live_/);
    expect(await customersStatus(merchant.secret_key)).toBe(200);

    const list = await cli(['merchant', 'list', '--per-page', '1', '--page', '1', '--json']);
    expect(list.code).toBe(0);
    const page = JSON.parse(list.out) as { data: Array<{ id: string }>; page_meta: { per_page: number; current: number } };
    expect(page.data).toHaveLength(1);
    expect(page.page_meta).toMatchObject({ per_page: 1, current: 1 });
  });

  it('reissues keys: the old sandbox secret key stops working and the new one works', async () => {
    const merchant = await createMerchant('Reissue Ltd');
    expect(await customersStatus(merchant.secret_key)).toBe(200);

    const result = await cli(['merchant', 'keys', 'reissue', merchant.id, '--json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.out) as {
      merchant_id: string;
      revoked: number;
      keys: Record<'sandbox' | 'production', { secret_key: string; public_key: string }>;
    };
    expect(body.merchant_id).toBe(merchant.id);
    expect(body.revoked).toBe(4);
    expect(body.keys.sandbox.secret_key).not.toBe(merchant.secret_key);
    expect(body.keys.sandbox.public_key).toMatch(/^test_/);
    expect(body.keys.production.public_key).toMatch(/^live_/);

    expect(await customersStatus(merchant.secret_key)).toBe(401);
    expect(await customersStatus(body.keys.sandbox.secret_key)).toBe(200);
    expect(await customersStatus(body.keys.production.secret_key)).toBe(200);
  });

  it('reissues one environment in human format', async () => {
    const merchant = await createMerchant('Reissue Sandbox Ltd');
    const result = await cli(['merchant', 'keys', 'reissue', merchant.id, '--env', 'sandbox']);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Revoked 2 keys of merchant ${merchant.id} (sandbox)`);
    expect(result.out).toMatch(/Sandbox keys\n\s+secret key:\s+eyJ/);
    expect(result.out).not.toContain('Production keys');
    expect(await customersStatus(merchant.secret_key)).toBe(401);
    expect(await customersStatus(merchant.production_secret_key)).toBe(200);
  });

  it('revokes the sandbox keys only with --env sandbox', async () => {
    const merchant = await createMerchant('Revoke GmbH');
    const result = await cli(['merchant', 'keys', 'revoke', merchant.id, '--env', 'sandbox']);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Revoked 2 keys of merchant ${merchant.id} (sandbox)`);
    expect(await customersStatus(merchant.secret_key)).toBe(401);
    expect(await customersStatus(merchant.production_secret_key)).toBe(200);
  });

  it('reports a wrong token as Error 401 with exit 1', async () => {
    const result = await cli(['merchant', 'list'], { ADMIN_TOKEN: 'wrong-token-wrong-token' });
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toBe('Error 401: Auth token expired or invalid');
  });

  it('lets --token and --url override the environment', async () => {
    const result = await cli(['merchant', 'list', '--token', ADMIN_TOKEN, '--url', server.url], {
      ADMIN_TOKEN: 'wrong-token-wrong-token',
      GLOMO_URL: 'http://127.0.0.1:9',
    });
    expect(result.code).toBe(0);
  });

  it('reports an unknown merchant as Error 404 with exit 1', async () => {
    const result = await cli(['merchant', 'show', 'merch_00000000aaaaa']);
    expect(result.code).toBe(1);
    expect(result.err).toBe('Error 404: Merchant not found');
  });

  it('reports API validation errors with exit 1', async () => {
    const result = await cli(['merchant', 'create', '--name', 'Bad Email', '--email', 'not-an-email']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^Error 400: Validation failed/);
  });

  it('exits 2 with a clear message when ADMIN_TOKEN is missing', async () => {
    const result = await cli(['merchant', 'list'], { ADMIN_TOKEN: undefined });
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toContain('ADMIN_TOKEN');
  });

  it('exits 2 with usage on stderr for usage errors', async () => {
    for (const args of [
      ['frobnicate'],
      ['merchant', 'frobnicate'],
      ['merchant'],
      ['merchant', 'create'],
      ['merchant', 'show'],
      ['merchant', 'keys', 'revoke'],
      ['merchant', 'keys', 'revoke', 'merch_00000000aaaaa', '--env', 'staging'],
      ['merchant', 'list', '--page', '0'],
      ['merchant', 'list', '--name', 'x'],
      ['merchant', 'list', '--bogus'],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toContain('Usage:');
    }
  });

  it('exits 1 with "Cannot reach" when the server is unreachable', async () => {
    const result = await cli(['merchant', 'list'], { GLOMO_URL: 'http://127.0.0.1:9' });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^Cannot reach glomo-server at http:\/\/127\.0\.0\.1:9: /);
  });
});

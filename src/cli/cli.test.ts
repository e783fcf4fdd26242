// The `glomo` CLI against a real server over HTTP: one server (PGlite, or DATABASE_URL when set) for the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startServer, type RunningServer } from '../server.js';
import { run, type FetchImpl } from './main.js';

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
      // The shared test database: a job runner here would take other test files' webhook jobs.
      JOBS_ENABLED: 'false',
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
      expect(result.out).toContain('glomo merchant adjust ID --direction credit|debit --currency CODE --amount N --reason TEXT');
      expect(result.out).toContain('glomo ledger verify [--merchant ID]');
      expect(result.out).toMatch(/3 ledger inconsistent/);
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

  it('documents backup and restore; backup needs the token, restore (offline) does not', async () => {
    const help = await cli(['help'], { ADMIN_TOKEN: undefined });
    expect(help.out).toContain('glomo backup FILE [--force]');
    expect(help.out).toContain('glomo restore FILE --data-dir DIR [--force]');
    const file = path.join(dataDir, 'never-written.tar');
    expect(await cli(['backup', file], { ADMIN_TOKEN: undefined })).toMatchObject({ code: 2, err: expect.stringContaining('no operator token') });
    const restore = await cli(['restore', path.join(dataDir, 'missing.tar'), '--data-dir', path.join(dataDir, 'restored')], { ADMIN_TOKEN: undefined });
    expect(restore).toMatchObject({ code: 1, err: expect.stringContaining('No such file') });
    expect(await cli(['backup'])).toMatchObject({ code: 2, err: expect.stringContaining('Missing argument: glomo backup FILE') });
    expect(fs.existsSync(file)).toBe(false);
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
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--currency', 'USD', '--amount', '1', '--reason', 'x'],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'refund', '--currency', 'USD', '--amount', '1', '--reason', 'x'],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'credit', '--amount', '1', '--reason', 'x'],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'credit', '--currency', 'USD', '--reason', 'x'],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'credit', '--currency', 'USD', '--amount', '1'],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'credit', '--currency', 'USD', '--amount', '1', '--reason', '  '],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'credit', '--currency', 'USD', '--amount', '0', '--reason', 'x'],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'credit', '--currency', 'USD', '--amount', '10.50', '--reason', 'x'],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'credit', '--currency', 'USD', '--amount', '-5', '--reason', 'x'],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'credit', '--currency', 'USD', '--amount', '9007199254740992', '--reason', 'x'],
      ['merchant', 'adjust', 'merch_00000000aaaaa', '--direction', 'credit', '--currency', 'USD', '--amount', '1', '--reason', 'x', '--env', 'all'],
      ['merchant', 'adjust', '--direction', 'credit', '--currency', 'USD', '--amount', '1', '--reason', 'x'],
      ['merchant', 'adjustments'],
      ['merchant', 'adjustments', 'merch_00000000aaaaa', '--env', 'all'],
      ['merchant', 'adjustments', 'merch_00000000aaaaa', '--reason', 'x'],
      ['ledger'],
      ['ledger', 'frobnicate'],
      ['ledger', 'verify', 'merch_00000000aaaaa'],
      ['ledger', 'verify', '--merchant', ''],
      ['ledger', 'verify', '--env', 'sandbox'],
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

interface AdjustmentJson {
  id: string;
  merchant_id: string;
  env: string;
  direction: string;
  currency: string;
  amount: number;
  reason: string;
  journal_id: string;
  created_at: string;
}

describe('glomo merchant adjust, merchant adjustments and ledger verify', () => {
  const adjustArgs = (id: string, direction: string, amount: string, ...extra: string[]) =>
    ['merchant', 'adjust', id, '--direction', direction, '--currency', 'USD', '--amount', amount, '--reason', 'Pilot float', ...extra];

  it('credits a merchant, printing the adjustment with its amount in major units', async () => {
    const merchant = await createMerchant('Adjust Ltd');
    const result = await cli(adjustArgs(merchant.id, 'credit', '100000'));
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(new RegExp(`^Credited merchant ${merchant.id} \\(sandbox\\): adjustment adj_\\w+`));
    expect(result.out).toMatch(/amount:\s+100000 \(USD 1000\.00\)/);
    expect(result.out).toMatch(/reason:\s+Pilot float/);
    expect(result.out).toMatch(/journal_id:\s+jrnl_\w+/);

    const verify = await cli(['ledger', 'verify', '--merchant', merchant.id]);
    expect(verify).toEqual({ code: 0, out: 'ledger OK: 2 accounts, 1 journal, 2 entries, 0 holds', err: '' });
  });

  it('prints the raw adjustment with --json, adjusts production with --env, and lists adjustments', async () => {
    const merchant = await createMerchant('Adjust Json Ltd');
    const credit = await cli([...adjustArgs(merchant.id, 'credit', '9007199254740991'), '--env', 'production', '--json']);
    expect(credit.code).toBe(0);
    const adjustment = JSON.parse(credit.out) as AdjustmentJson;
    expect(adjustment).toMatchObject({ merchant_id: merchant.id, env: 'production', direction: 'credit', currency: 'USD', amount: 9007199254740991 });
    const debit = await cli([...adjustArgs(merchant.id, 'debit', '1'), '--env', 'production']);
    expect(debit.code).toBe(0);
    expect(debit.out).toMatch(/^Debited merchant \w+ \(production\)/);
    expect(debit.out).toMatch(/amount:\s+1 \(USD 0\.01\)/);

    const list = await cli(['merchant', 'adjustments', merchant.id, '--env', 'production']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ID\s+ENV\s+DIRECTION\s+CURRENCY\s+AMOUNT\s+CREATED_AT\s+REASON$/m);
    expect(list.out).toMatch(new RegExp(`^${adjustment.id}\\s+production\\s+credit\\s+USD\\s+9007199254740991\\s+\\S+\\s+Pilot float$`, 'm'));
    expect(list.out).toContain('Page 1 of 1 (2 adjustments, 20 per page)');
    const sandbox = await cli(['merchant', 'adjustments', merchant.id, '--env', 'sandbox', '--json']);
    expect(JSON.parse(sandbox.out)).toMatchObject({ data: [], page_meta: { count: 0 } });
  });

  it('reports a debit beyond the balance as Error 400 with exit 1', async () => {
    const merchant = await createMerchant('Short Ltd');
    expect((await cli(adjustArgs(merchant.id, 'credit', '500'))).code).toBe(0);
    const result = await cli(adjustArgs(merchant.id, 'debit', '800'));
    expect(result).toEqual({
      code: 1,
      out: '',
      err: 'Error 400: Account has insufficient balance to process this transaction. Additional amount required: 300.',
    });
  });

  it('reports an unknown merchant or currency as an HTTP error with exit 1', async () => {
    const unknown = await cli(adjustArgs('merch_00000000aaaaa', 'credit', '1'));
    expect(unknown).toMatchObject({ code: 1, err: 'Error 404: Merchant not found' });
    const merchant = await createMerchant('Currency Ltd');
    const currency = await cli(['merchant', 'adjust', merchant.id, '--direction', 'credit', '--currency', 'ABC', '--amount', '1', '--reason', 'x']);
    expect(currency).toMatchObject({ code: 1, err: 'Error 400: Validation failed: Currency must be a valid ISO 4217 currency code (e.g., USD)' });
    const verify = await cli(['ledger', 'verify', '--merchant', 'merch_00000000aaaaa']);
    expect(verify).toMatchObject({ code: 1, err: 'Error 404: Merchant not found' });
  });

  it('verifies the whole ledger', async () => {
    const result = await cli(['ledger', 'verify']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ledger OK: \d+ accounts?, \d+ journals?, \d+ entr(y|ies), \d+ holds?$/);
  });
});

describe('glomo merchant settlement-schedule', () => {
  it('sets the schedule, shows it, prints it raw with --json and switches it off', async () => {
    const merchant = await createMerchant('Schedule Co');
    const set = await cli(['merchant', 'settlement-schedule', merchant.id, '--delay-days', '2', '--currencies', 'usd, EUR']);
    expect(set.code, set.err).toBe(0);
    expect(set.out).toMatch(/settlement:\s+daily, 2 days after payment: USD, EUR/);
    const shown = await cli(['merchant', 'show', merchant.id]);
    expect(shown.out).toMatch(/settlement:\s+daily, 2 days after payment: USD, EUR/);
    const raw = await cli(['merchant', 'settlement-schedule', merchant.id, '--delay-days', '0', '--currencies', 'GBP', '--json']);
    expect(JSON.parse(raw.out).settlement_schedule).toEqual({ delay_days: 0, currencies: ['GBP'] });
    const off = await cli(['merchant', 'settlement-schedule', merchant.id, '--off']);
    expect(off.code, off.err).toBe(0);
    expect(off.out).toMatch(/settlement:\s+off/);
    const read = await fetch(`${server.url}/admin/v1/merchants/${merchant.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await read.json()) as { settlement_schedule: unknown }).settlement_schedule).toBeNull();
  });

  it('refuses missing or contradictory options as usage errors (exit 2), and the server\'s refusals with exit 1', async () => {
    const id = 'merch_6819d7d0aaaaa';
    expect(await cli(['merchant', 'settlement-schedule', id, '--currencies', 'USD']))
      .toMatchObject({ code: 2, err: expect.stringContaining('Missing required option --delay-days') });
    expect(await cli(['merchant', 'settlement-schedule', id, '--delay-days', '2']))
      .toMatchObject({ code: 2, err: expect.stringContaining('Missing required option --currencies') });
    expect(await cli(['merchant', 'settlement-schedule', id, '--delay-days', 'two', '--currencies', 'USD']))
      .toMatchObject({ code: 2, err: expect.stringContaining("--delay-days must be a whole number of days from 0 to 30, got 'two'") });
    expect(await cli(['merchant', 'settlement-schedule', id, '--off', '--delay-days', '2']))
      .toMatchObject({ code: 2, err: expect.stringContaining('--off takes neither --delay-days nor --currencies') });
    expect(await cli(['merchant', 'settlement-schedule', id, '--delay-days', '2', '--currencies', 'USD,']))
      .toMatchObject({ code: 2, err: expect.stringContaining('--currencies must be codes separated by commas') });
    expect(await cli(['merchant', 'show', id, '--off'])).toMatchObject({ code: 2, err: expect.stringContaining("Option --off does not apply to 'glomo merchant show") });
    const merchant = await createMerchant('Schedule Refused Co');
    expect(await cli(['merchant', 'settlement-schedule', merchant.id, '--delay-days', '31', '--currencies', 'USD']))
      .toMatchObject({ code: 1, err: 'Error 400: Validation failed: Settlement schedule delay days must be between 0 and 30' });
    expect(await cli(['merchant', 'settlement-schedule', merchant.id, '--delay-days', '1', '--currencies', 'INR']))
      .toMatchObject({ code: 1, err: 'Error 400: Currency INR is not supported for settlements' });
  });
});

describe('glomo merchant platform', () => {
  it('makes a merchant a platform and back, shown by merchant show', async () => {
    const merchant = await createMerchant('Platform Co');
    const on = await cli(['merchant', 'platform', merchant.id, '--on']);
    expect(on.code, on.err).toBe(0);
    expect(on.out).toMatch(/platform:\s+yes/);
    const read = await fetch(`${server.url}/admin/v1/merchants/${merchant.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await read.json()) as { is_platform: boolean }).is_platform).toBe(true);
    const off = await cli(['merchant', 'platform', merchant.id, '--off']);
    expect(off.code, off.err).toBe(0);
    expect((await cli(['merchant', 'show', merchant.id])).out).toMatch(/platform:\s+no/);
  });

  it('needs exactly one of --on and --off (usage error, exit 2)', async () => {
    const id = 'merch_6819d7d0aaaaa';
    expect(await cli(['merchant', 'platform', id])).toMatchObject({ code: 2, err: expect.stringContaining('Give exactly one of --on and --off') });
    expect(await cli(['merchant', 'platform', id, '--on', '--off'])).toMatchObject({ code: 2, err: expect.stringContaining('Give exactly one of --on and --off') });
    expect(await cli(['merchant', 'platform'])).toMatchObject({ code: 2, err: expect.stringContaining('Missing argument: glomo merchant platform ID') });
  });
});

describe('glomo clock show and clock advance', () => {
  it("shows a merchant's sandbox clock, advances it by a duration or to a time, and the merchant's key sees it", async () => {
    const merchant = await createMerchant('Clock Co');
    const shown = await cli(['clock', 'show', merchant.id]);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toMatch(/^Sandbox clock: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\n {2}ahead of real time by 0 s, last moved /);
    const moved = await cli(['clock', 'advance', merchant.id, '30d', '--json']);
    expect(moved.code, moved.err).toBe(0);
    expect(JSON.parse(moved.out)).toMatchObject({ offset_seconds: 30 * 86_400, ran: {} });
    const human = await cli(['clock', 'advance', merchant.id, '1d12h']);
    expect(human.out).toContain(`ahead of real time by ${31.5 * 86_400} s (31 days)`);
    expect(human.out).toContain('nothing was due on the way');
    const read = await fetch(`${server.url}/api/v1/sandbox/clock`, { headers: { authorization: `Bearer ${merchant.secret_key}` } });
    expect(((await read.json()) as { offset_seconds: number }).offset_seconds).toBe(31.5 * 86_400);
    const to = await cli(['clock', 'advance', merchant.id, '2099-01-01T00:00:00Z']);
    expect(to).toMatchObject({ code: 1, err: 'Error 400: Validation failed: A clock moves at most 5 years per advance' });
  });

  it('refuses a target that is neither a duration nor a time, and a missing argument, as usage errors', async () => {
    expect(await cli(['clock', 'advance', 'merch_6819d7d0aaaaa', 'soon'])).toMatchObject({ code: 2, err: expect.stringContaining("'soon' is neither a duration") });
    expect(await cli(['clock', 'advance', 'merch_6819d7d0aaaaa'])).toMatchObject({ code: 2, err: expect.stringContaining('Missing argument: glomo clock advance ID DURATION|TIME') });
    expect(await cli(['clock', 'rewind', 'merch_6819d7d0aaaaa'])).toMatchObject({ code: 2, err: expect.stringContaining("Unknown command 'clock rewind") });
    expect(await cli(['clock', 'show', 'merch_6819d7d0zzzzz'])).toMatchObject({ code: 1, err: 'Error 404: Merchant not found' });
  });
});

describe('glomo ledger verify: exit codes (fake server)', () => {
  const inconsistent = {
    ok: false,
    scope: { merchant_id: null },
    counts: { accounts: 12, journals: 7, entries: 15, holds: 1 },
    problems: [
      {
        check: 'balance_mismatch', merchant_id: 'merch_6819d7d0aaaaa', env: 'sandbox', currency: 'USD', account_id: 'lacct_1', purpose: 'available',
        detail: 'account lacct_1 (merch_6819d7d0aaaaa sandbox USD available) stores 1001 but its entries sum to 1000',
      },
      { check: 'journal_unbalanced', journal_id: 'jrnl_2', currency: 'EUR', detail: 'entries of journal jrnl_2 sum to 5 EUR, not 0' },
      { check: 'hold_state_mismatch', hold_id: 'hold_3', currency: 'USD', detail: 'the hold says posted but its journals say pending' },
      { check: 'currency_unbalanced', currency: 'EUR', detail: 'entries in EUR sum to 5, not 0\u001b[2J' },
    ],
  };

  function fakeServer(body: unknown, status = 200) {
    const requests: Array<{ url: string; method: string; authorization: string | null }> = [];
    const fetchImpl: FetchImpl = async (input, init) => {
      const headers = new Headers(init?.headers);
      requests.push({ url: String(input), method: init?.method ?? 'GET', authorization: headers.get('authorization') });
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    };
    return { fetchImpl, requests };
  }

  async function fakeCli(args: string[], fetchImpl: FetchImpl): Promise<CliResult> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, { GLOMO_URL: 'http://glomo.test/base', ADMIN_TOKEN }, { out: (s) => out.push(s), err: (s) => err.push(s) }, fetchImpl);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('exits 3 and prints each problem on its own line, naming the account, journal or hold', async () => {
    const server = fakeServer(inconsistent);
    const result = await fakeCli(['ledger', 'verify'], server.fetchImpl);
    expect(result.code).toBe(3);
    expect(result.err).toBe('');
    expect(result.out.split('\n')).toEqual([
      'ledger INCONSISTENT: 4 problems (12 accounts, 7 journals, 15 entries, 1 hold)',
      'balance_mismatch: account lacct_1 (merch_6819d7d0aaaaa sandbox USD available) stores 1001 but its entries sum to 1000',
      'journal_unbalanced: entries of journal jrnl_2 sum to 5 EUR, not 0',
      'hold_state_mismatch: the hold says posted but its journals say pending [hold hold_3]',
      'currency_unbalanced: entries in EUR sum to 5, not 0 [2J',
    ]);
    expect(server.requests).toEqual([{ url: 'http://glomo.test/base/admin/v1/ledger/verify', method: 'GET', authorization: `Bearer ${ADMIN_TOKEN}` }]);
  });

  it('exits 3 with --json too, printing the report as it came', async () => {
    const result = await fakeCli(['ledger', 'verify', '--json'], fakeServer(inconsistent).fetchImpl);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.out)).toEqual(inconsistent);
  });

  it('exits 0 on an ok report and sends --merchant as merchant_id', async () => {
    const server = fakeServer({ ok: true, scope: { merchant_id: 'merch_6819d7d0aaaaa' }, counts: { accounts: 1, journals: 1, entries: 1, holds: 0 }, problems: [] });
    const result = await fakeCli(['ledger', 'verify', '--merchant', 'merch_6819d7d0aaaaa'], server.fetchImpl);
    expect(result).toEqual({ code: 0, out: 'ledger OK: 1 account, 1 journal, 1 entry, 0 holds', err: '' });
    expect(server.requests[0]!.url).toBe('http://glomo.test/base/admin/v1/ledger/verify?merchant_id=merch_6819d7d0aaaaa');
  });

  it('exits 1 (not 3) when the request fails or the answer is not a report', async () => {
    const failed = await fakeCli(['ledger', 'verify'], fakeServer({ error: 'Internal Server Error', message: 'Internal server error' }, 500).fetchImpl);
    expect(failed).toEqual({ code: 1, out: '', err: 'Error 500: Internal server error' });
    const odd = await fakeCli(['ledger', 'verify'], fakeServer({ status: 'ok' }).fetchImpl);
    expect(odd.code).toBe(1);
    expect(odd.err).toContain('unexpected answer');
  });
});

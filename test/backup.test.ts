// Backups, round trip (issue 12): a server with data (a merchant, a customer, an order paid with the mock payment,
// an operator adjustment, an uploaded document), backed up while it takes writes, restored into a new DATA_DIR, and
// a server started there: the rows are there, the document is byte-identical and the ledger verifies with the same
// balances. Embedded: `glomo backup` / `glomo restore`. PostgreSQL: pg_dump -Fc / pg_restore, the commands
// docs/operations.md gives. Also: what a kill -9 of the embedded database keeps (every acknowledged commit).
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { loadConfig } from '../src/config.js';
import { selectRows } from '../src/db/client.js';
import { LocalDocumentStore } from '../src/modules/documents/storage.js';
import { startServer, type RunningServer } from '../src/server.js';
import { ADMIN_TOKEN, bearer, customerBody, tempDir as makeTempDir } from './support/app.js';
import { onPostgres, withFreshPostgresDatabase } from './support/env.js';

const running: RunningServer[] = [];
const created: string[] = [];
afterAll(async () => {
  for (const server of running) await server.stop().catch(() => undefined);
  // Each holds a database folder (~45 MB) or a backup.
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(label: string): string {
  const dir = makeTempDir(label);
  created.push(dir);
  return dir;
}

async function start(dataDir: string, databaseUrl?: string): Promise<RunningServer> {
  const server = await startServer(loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    ADMIN_TOKEN,
    JOBS_ENABLED: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  }));
  running.push(server);
  return server;
}

async function stop(server: RunningServer): Promise<void> {
  await server.stop();
  running.splice(running.indexOf(server), 1);
}

async function call(server: RunningServer, method: 'GET' | 'POST', url: string, token: string, payload?: object) {
  const response = await server.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  return { status: response.statusCode, body: response.json() };
}

async function ok(server: RunningServer, method: 'GET' | 'POST', url: string, token: string, payload?: object) {
  const response = await call(server, method, url, token, payload);
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  return response.body;
}

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { ADMIN_TOKEN, ...env }, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A PDF header and random bytes: what comes back must be these bytes exactly. */
const DOCUMENT = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(200_000), Buffer.from('\n%%EOF\n')]);

async function uploadDocument(server: RunningServer, key: string): Promise<string> {
  const boundary = '----glomo-backup-test';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="document_name"\r\n\r\npassport\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="passport.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    DOCUMENT,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const response = await server.app.inject({
    method: 'POST', url: '/api/v1/document', payload,
    headers: { ...bearer(key), 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

interface Fixture {
  merchantId: string;
  key: string;
  customerId: string;
  orderId: string;
  paymentId: string;
  documentId: string;
}

/** A merchant that did business: a customer, an order paid with the mock payment, an adjustment, a document. */
async function businessDone(server: RunningServer): Promise<Fixture> {
  const merchant = await ok(server, 'POST', '/admin/v1/merchants', ADMIN_TOKEN, { name: 'Backup Exports Ltd' });
  const key = merchant.secret_key as string;
  const customer = await ok(server, 'POST', '/api/v1/customer', key, customerBody());
  const order = await ok(server, 'POST', '/api/v1/orders', key, {
    customer_id: customer.id, currency: 'USD', amount: 25_000, payment_methods: ['bank_transfer'], purpose_code: 'P0802',
    request_id: 'backup-order-1', product: { name: 'Semester fee' },
  });
  // A transfer of the wrong amount is held (its funds on the ledger, off the balances: the backup must keep both).
  const wrong = await call(server, 'POST', '/api/v1/payment/mock', key, { payin_id: order.id, currency: 'USD', amount: 100, payment_method: 'BankTransfer' });
  expect(wrong.body, JSON.stringify(wrong.body)).toMatchObject({ status: 'action_required', error_code: 'PAYIN_AMOUNT_MISMATCH' });
  // No price: the amount due is the order's.
  const payment = await ok(server, 'POST', '/api/v1/payment/mock', key, { payin_id: order.id, currency: 'USD', amount: order.amount, payment_method: 'BankTransfer' });
  expect(payment.status).toBe('success');
  await ok(server, 'POST', `/admin/v1/merchants/${merchant.id}/adjustments`, ADMIN_TOKEN, {
    direction: 'credit', currency: 'USD', amount: 100_000, reason: 'Opening float',
  });
  const documentId = await uploadDocument(server, key);
  return { merchantId: merchant.id, key, customerId: customer.id, orderId: order.id, paymentId: payment.id, documentId };
}

/** What must be the same after a restore: the merchant's view of its objects, its balances, the ledger's verdict. */
async function snapshot(server: RunningServer, f: Fixture) {
  const verify = await ok(server, 'GET', `/admin/v1/ledger/verify?merchant_id=${f.merchantId}`, ADMIN_TOKEN);
  return {
    merchant: await ok(server, 'GET', `/admin/v1/merchants/${f.merchantId}`, ADMIN_TOKEN),
    customer: await ok(server, 'GET', `/api/v1/customer/${f.customerId}`, f.key),
    order: await ok(server, 'GET', `/api/v1/orders/${f.orderId}`, f.key),
    document: await ok(server, 'GET', `/api/v1/document/${f.documentId}`, f.key),
    balances: await ok(server, 'GET', '/api/v1/balances', f.key),
    verify: { ok: verify.ok, counts: verify.counts, problems: verify.problems },
  };
}

/** The stored bytes of a document, read through the server's document store on its DATA_DIR. */
async function documentBytes(server: RunningServer, dataDir: string, documentId: string): Promise<Buffer> {
  const [row] = await selectRows<{ storage_key: string; sha256: string }>(server.database.db, sql`select storage_key, sha256 from documents where id = ${documentId}`);
  const chunks: Buffer[] = [];
  for await (const chunk of new LocalDocumentStore(path.join(dataDir, 'documents')).read(row!.storage_key)) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(row!.sha256);
  return bytes;
}

describe('glomo backup and glomo restore (embedded)', () => {
  it('round-trips a running server with data, taken under concurrent writes, into a new DATA_DIR', async () => {
    const dirA = tempDir('backup-a');
    const a = await start(dirA);
    const fixture = await businessDone(a);
    const before = await snapshot(a, fixture);
    expect(before.verify).toMatchObject({ ok: true, problems: [] });
    expect(before.order.status).toBe('paid');
    expect(before.verify.counts.journals).toBeGreaterThanOrEqual(2);

    // Writes go on while the backup is taken: another merchant's adjustments, one after another.
    const busy = await ok(a, 'POST', '/admin/v1/merchants', ADMIN_TOKEN, { name: 'Busy Ltd' });
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing && written < 500) {
        await ok(a, 'POST', `/admin/v1/merchants/${busy.id}/adjustments`, ADMIN_TOKEN, { direction: 'credit', currency: 'USD', amount: 7, reason: 'load' });
        written += 1;
      }
    })();
    const file = path.join(tempDir('backup-file'), 'glomo.tar');
    const backup = await cli(['backup', file], { GLOMO_URL: a.url });
    writing = false;
    await writer;
    expect(backup, backup.err).toMatchObject({ code: 0, err: '' });
    expect(backup.out).toContain(`Wrote ${file}`);
    expect(backup.out).toMatch(/documents: 1 \(200\d+ bytes\)/);
    expect(backup.out).toContain('credentials.json: yes');
    expect(written).toBeGreaterThan(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // A plain tar: manifest first.
    const listing = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.slice(0, 3)).toEqual(['manifest.json', 'pglite.tar.gz', 'credentials.json']);
    expect(listing.filter((name) => name.startsWith('documents/'))).toHaveLength(1);

    // The file exists: refused without --force.
    expect(await cli(['backup', file], { GLOMO_URL: a.url })).toMatchObject({ code: 2, err: `glomo: ${file} exists; pass --force to overwrite it` });
    // The running server's folder cannot be restored into, even with --force.
    const intoLive = await cli(['restore', file, '--data-dir', dirA, '--force']);
    expect(intoLive.code).toBe(1);
    expect(intoLive.err).toMatch(/^glomo: restore refused: Another glomo-server process \(pid \d+\) is using the data folder/);
    // A folder with something in it needs --force.
    const occupied = tempDir('backup-occupied');
    fs.writeFileSync(path.join(occupied, 'notes.txt'), 'keep');
    const intoOccupied = await cli(['restore', file, '--data-dir', occupied]);
    expect(intoOccupied.code).toBe(1);
    expect(intoOccupied.err).toContain('is not empty (notes.txt)');
    expect(fs.readdirSync(occupied)).toEqual(['notes.txt']);

    const credentialsA = fs.readFileSync(path.join(dirA, 'credentials.json'), 'utf8');
    const bytesA = await documentBytes(a, dirA, fixture.documentId);
    expect(bytesA.equals(DOCUMENT)).toBe(true);
    await stop(a);

    // Restore into a folder that does not exist yet, and start a server there.
    const dirB = path.join(tempDir('backup-b'), 'data');
    const restored = await cli(['restore', file, '--data-dir', dirB]);
    expect(restored, restored.err).toMatchObject({ code: 0, err: '' });
    expect(restored.out).toContain(`into ${dirB}`);
    expect(restored.out).toContain('documents: 1 (');
    expect(fs.readdirSync(dirB).sort()).toEqual(['credentials.json', 'documents', 'pglite']);
    expect(fs.readFileSync(path.join(dirB, 'credentials.json'), 'utf8')).toBe(credentialsA);
    expect(fs.statSync(path.join(dirB, 'credentials.json')).mode & 0o777).toBe(0o600);

    const b = await start(dirB);
    expect(b.defaultMerchant).toMatchObject({ created: false, sandboxKeyValid: true });
    // The same objects, balances and ledger: the merchant's key (signed by the restored signing key) works.
    expect(await snapshot(b, fixture)).toEqual(before);
    expect((await documentBytes(b, dirB, fixture.documentId)).equals(DOCUMENT)).toBe(true);
    const whole = await ok(b, 'GET', '/admin/v1/ledger/verify', ADMIN_TOKEN);
    expect(whole).toMatchObject({ ok: true, problems: [] });
    // The busy merchant has a prefix of its adjustments: each one whole (ledger ok), none half.
    const busyAfter = await ok(b, 'GET', `/admin/v1/merchants/${busy.id}/adjustments?per_page=100`, ADMIN_TOKEN);
    const kept = busyAfter.page_meta.count as number;
    expect(kept).toBeLessThanOrEqual(written);
    process.stdout.write(`backup under load: ${written} adjustments committed while the backup ran, ${kept} of them in it\n`);
    const busyVerify = await ok(b, 'GET', `/admin/v1/ledger/verify?merchant_id=${busy.id}`, ADMIN_TOKEN);
    expect(busyVerify.ok).toBe(true);
    // It goes on working: a new write on the restored server.
    await ok(b, 'POST', '/api/v1/customer', fixture.key, customerBody());
    // `glomo ledger verify` against it, as operations.md says to run after a restore.
    expect(await cli(['ledger', 'verify'], { GLOMO_URL: b.url })).toMatchObject({ code: 0 });
    await stop(b);

    // Again into the same folder: refused without --force, replaced with it.
    expect((await cli(['restore', file, '--data-dir', dirB])).err).toContain('is not empty (credentials.json, documents, pglite)');
    const forced = await cli(['restore', file, '--data-dir', dirB, '--force']);
    expect(forced, forced.err).toMatchObject({ code: 0, err: '' });
    expect(forced.out).toContain('replaced: pglite, documents, credentials.json');
    const c = await start(dirB);
    // The customer created on b after the restore is gone: the folder is the backup again.
    expect(await snapshot(c, fixture)).toEqual(before);
    await stop(c);
  }, 180_000);

  it('refuses files that are not backups and leaves the target as it was', async () => {
    const dir = tempDir('backup-bad');
    const notTar = path.join(dir, 'not.tar');
    fs.writeFileSync(notTar, 'hello');
    const target = path.join(dir, 'data');
    const result = await cli(['restore', notTar, '--data-dir', target]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^glomo: restore refused: .*not a (readable )?glomo backup/);
    expect(fs.readdirSync(target)).toEqual([]);

    // A tar without a manifest.
    fs.writeFileSync(path.join(dir, 'x.txt'), 'x');
    const other = path.join(dir, 'other.tar');
    execFileSync('tar', ['-cf', other, '-C', dir, 'x.txt']);
    const refused = await cli(['restore', other, '--data-dir', target]);
    expect(refused.err).toBe('glomo: restore refused: Not a glomo backup: its first entry is x.txt, not manifest.json');
    expect(fs.readdirSync(target)).toEqual([]);

    expect((await cli(['restore', path.join(dir, 'missing.tar'), '--data-dir', target])).err).toContain('No such file');
    expect(await cli(['restore', notTar])).toMatchObject({ code: 2 });
    expect((await cli(['restore', notTar])).err).toContain('Missing required option --data-dir');
    expect((await cli(['backup', notTar, '--data-dir', target])).err).toContain("Option --data-dir does not apply to 'glomo backup'");
  }, 30_000);
});

describe('the embedded database after kill -9', () => {
  it('keeps every commit that was acknowledged before the process was killed', async () => {
    const dir = path.join(tempDir('crash'), 'pglite');
    // A child commits one row per transaction and prints each id once its commit has returned.
    const script = `
      import { PGlite } from '@electric-sql/pglite';
      const db = new PGlite(${JSON.stringify(dir)});
      await db.waitReady;
      await db.exec('create table t (id int primary key, v text)');
      for (let i = 1; ; i++) {
        await db.transaction(async (tx) => { await tx.query('insert into t values ($1, $2)', [i, 'x'.repeat(100)]); });
        process.stdout.write('ack ' + i + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: path.resolve(import.meta.dirname, '..') });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!/ack 100\n/.test(output) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const acked = Math.max(...[...output.matchAll(/ack (\d+)\n/g)].map((m) => Number(m[1])));
    expect(acked, output).toBeGreaterThanOrEqual(100);

    const reopened = new PGlite(dir);
    try {
      const result = await reopened.query<{ n: number; max: number }>('select count(*)::int as n, max(id) as max from t');
      // Every acknowledged commit is there (one more may have committed before its ack was printed).
      expect(result.rows[0]!.n).toBeGreaterThanOrEqual(acked);
      expect(result.rows[0]!.n).toBe(result.rows[0]!.max);
    } finally {
      await reopened.close();
    }
  }, 90_000);
});

function hasBinary(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!onPostgres || !hasBinary('pg_dump') || !hasBinary('pg_restore'))('pg_dump and pg_restore (PostgreSQL)', () => {
  it('restores a pg_dump -Fc of a database with data into a fresh database, with the documents folder copied', async () => {
    await withFreshPostgresDatabase('backup_src', async (sourceUrl) => {
      const dirA = tempDir('pgbackup-a');
      const a = await start(dirA, sourceUrl);
      const fixture = await businessDone(a);
      const before = await snapshot(a, fixture);
      expect(before.verify.ok).toBe(true);
      // The operator route refuses and says what to use.
      const refused = await call(a, 'GET', '/admin/v1/backup', ADMIN_TOKEN);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'BACKUP_UNAVAILABLE', message: expect.stringContaining('pg_dump -Fc') });
      const viaCli = await cli(['backup', path.join(dirA, 'x.tar')], { GLOMO_URL: a.url });
      expect(viaCli.code).toBe(1);
      expect(viaCli.err).toMatch(/^Error 409: This server runs on PostgreSQL/);

      // docs/operations.md: the database first, then the documents (a row is committed only after its file).
      const dumpFile = path.join(tempDir('pgbackup-file'), 'glomo.dump');
      execFileSync('pg_dump', ['-Fc', '-f', dumpFile, '-d', sourceUrl]);
      const dirB = tempDir('pgbackup-b');
      execFileSync('cp', ['-a', path.join(dirA, 'documents'), path.join(dirB, 'documents')]);
      await stop(a);

      await withFreshPostgresDatabase('backup_dst', async (targetUrl) => {
        execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '--single-transaction', '-d', targetUrl, dumpFile]);
        const b = await start(dirB, targetUrl);
        // No credentials.json in dirB and merchants exist: the server creates no default merchant.
        expect(b.defaultMerchant.created).toBe(false);
        expect(await snapshot(b, fixture)).toEqual(before);
        expect((await documentBytes(b, dirB, fixture.documentId)).equals(DOCUMENT)).toBe(true);
        expect(await ok(b, 'GET', '/admin/v1/ledger/verify', ADMIN_TOKEN)).toMatchObject({ ok: true, problems: [] });
        await ok(b, 'POST', '/api/v1/customer', fixture.key, customerBody());
        await stop(b);
      });
    });
  }, 180_000);
});

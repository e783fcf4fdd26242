// GET /admin/v1/backup: who may call it, and its refusal where there is no embedded data folder to back up. The
// happy path (a real server on a DATA_DIR, `glomo backup`, `glomo restore`, a server on the restored folder) is
// test/backup.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { expectAdminAbsentWithoutToken, expectAdminAuthRefused } from '../../test/support/admin.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../test/support/app.js';
import { onPostgres } from '../../test/support/env.js';
import { backupFileName } from './backup-routes.js';

describe('GET /admin/v1/backup', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  const routes = () => [{ method: 'GET' as const, url: '/admin/v1/backup' }];

  it('answers 401 without the admin token, with a wrong one or with a merchant key', async () => {
    await expectAdminAuthRefused(app, routes(), merchant.sandboxSecret);
  });

  it('is not mounted without ADMIN_TOKEN', async () => {
    await expectAdminAbsentWithoutToken(routes());
  });

  it('is not reachable on the merchant API prefix', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/backup', headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode).toBe(404);
  });

  it(`answers 409 BACKUP_UNAVAILABLE on ${onPostgres ? 'PostgreSQL (pg_dump is the backup there)' : 'an in-memory database (nothing on disk)'}`, async () => {
    const response = await app.inject({ method: 'GET', url: '/admin/v1/backup', headers: bearer(ADMIN_TOKEN) });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      error: 'Conflict',
      code: 'BACKUP_UNAVAILABLE',
      message: onPostgres
        ? 'This server runs on PostgreSQL: back the database up with pg_dump -Fc, and DATA_DIR/documents with your volume backups (docs/operations.md, Backups and durability)'
        : 'The embedded database is in memory: there is nothing on disk to back up',
    });
  });

  it('is in the OpenAPI document as a tar download', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operation = doc.paths['/admin/v1/backup'].get;
    expect(Object.keys(operation.responses['200'].content)).toEqual(['application/x-tar']);
    expect(operation.responses['409']).toBeDefined();
    expect(operation.security).toEqual([{ AdminToken: [] }]);
  });

  it('names the file by its time', () => {
    expect(backupFileName(new Date('2026-06-01T12:00:00.123Z'))).toBe('glomo-backup-20260601T120000Z.tar');
  });
});

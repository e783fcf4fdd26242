import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { ADMIN_TOKEN, bearer, buildTestApp, type TestMerchant } from '../../test/support/app.js';
import { createTestPlatform } from '../../test/support/platform.js';
import { fundMerchant } from '../../test/support/ledger.js';
import { MAX_PAGE } from './pagination.js';
import { servedPaths } from '../../test/support/contract.js';

describe('paging parameters out of range, on every paginated list', () => {
  let app: App;
  let merchant: TestMerchant;
  let lists: string[];
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    // A platform, so that its list of child merchants answers too; it is a merchant for every other list.
    merchant = await createTestPlatform();
    // The lists under one object: the operator's under a merchant, a settlement's transactions under a settlement.
    const account = await app.inject({
      method: 'POST', url: `/admin/v1/merchants/${merchant.id}/withdrawal_accounts`, headers: bearer(ADMIN_TOKEN),
      payload: { holder_name: 'Shop', account_number: '1234567890', bank_name: 'Bank', currency: 'USD', country: 'USA', env: 'sandbox' },
    });
    expect(account.statusCode, account.body).toBe(201);
    await fundMerchant(merchant.id, 'USD', 100n);
    const settlement = await app.inject({
      method: 'POST', url: '/api/v1/settlements', headers: bearer(merchant.sandboxSecret), payload: { amount: 100, balance_currency: 'USD' },
    });
    expect(settlement.statusCode, settlement.body).toBe(201);
    const parentOf = (path: string) => (path.startsWith('/api/v1/settlements/') ? settlement.json().id as string : merchant.id);
    const doc = app.swagger() as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };
    lists = (servedPaths(doc) as [string, (typeof doc.paths)[string]][])
      .filter(([, ops]) => ops.get?.parameters?.some((p) => p.in === 'query' && p.name === 'page'))
      .map(([path]) => path.replace('{id}', parentOf(path)));
  });

  const list = (url: string, query: string) =>
    app.inject({ method: 'GET', url: `${url}${query}`, headers: bearer(url.startsWith('/admin/') ? ADMIN_TOKEN : merchant.sandboxSecret) });

  it('finds the lists, the operator ones included', () => {
    expect(lists.length).toBeGreaterThan(20);
    expect(lists).toContain('/admin/v1/merchants');
  });

  it.each([
    ['?page=1e309', `Page must be less than or equal to ${MAX_PAGE}`],
    ['?page=1e20', `Page must be less than or equal to ${MAX_PAGE}`],
    ['?page=0', 'Page must be greater than or equal to 1'],
    ['?before=0000-01-01T00:00:00Z', 'Before must be an ISO-8601 timestamp (e.g. 2025-02-18T12:03:44Z)'],
    ['?after=0001-01-01T00:00:00%2B14:00', 'After must be an ISO-8601 timestamp (e.g. 2025-02-18T12:03:44Z)'],
    ['?before=2025-02-18T12:03:44%2B99:99', 'Before must be an ISO-8601 timestamp (e.g. 2025-02-18T12:03:44Z)'],
    ['?after=9999-12-31T23:59:59-14:00', 'After must be an ISO-8601 timestamp (e.g. 2025-02-18T12:03:44Z)'],
  ])('answers 400 for %s', async (query, message) => {
    for (const url of lists) {
      const response = await list(url, query);
      expect(response.statusCode, `${url}${query}: ${response.body}`).toBe(400);
      expect(response.json(), url).toEqual({ error: 'Bad Request', message: `Validation failed: ${message}`, code: 'VALIDATION_FAILED' });
    }
  });

  it('answers the last page one may ask for, and the earliest and latest instants, as empty pages', async () => {
    for (const query of [`?page=${MAX_PAGE}&per_page=100`, '?before=0001-01-01T00:00:00Z', '?after=9999-12-31T23:59:59Z']) {
      for (const url of lists) {
        const response = await list(url, query);
        expect(response.statusCode, `${url}${query}: ${response.body}`).toBe(200);
        expect(response.json().data, url).toEqual([]);
      }
    }
  });
});

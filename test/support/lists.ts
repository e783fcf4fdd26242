// The list conventions every list route must keep, in one place: newest first, `page`/`per_page` (default 20,
// clamped to 100), strict `before`/`after` on creation time, 400 for bad paging parameters, `page_meta` exact,
// and nothing of another merchant or environment. Responses are checked against the contract's list schema.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { ManualClock } from '../../src/core/clock.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from './app.js';
import { expectResponse } from './contract.js';

export interface ListTarget {
  /** The list URL, e.g. `/api/v1/customer`. */
  url: string;
  /** The operation's path in the contract, e.g. `/customer`; extensions have none and pass `checkPage` instead. */
  contractPath?: string;
  /** Checks one page body when the operation is not in the contract (e.g. against the route's own schema). */
  checkPage?: (body: unknown) => void;
  /**
   * Creates one object through the API with `key` and returns its id. `clock` is the app's clock, for fixtures a
   * route cannot create (a resource with a per-merchant limit below the suite's 23 objects inserts the rest itself).
   */
  create: (app: App, key: string, index: number, clock: ManualClock) => Promise<string>;
  /** The listed objects' id field, `id` unless the contract names it otherwise (`account_id`). */
  idField?: string;
}

interface Listed {
  id: string;
  created_at: string;
}

export function describeListConventions(name: string, target: ListTarget): void {
  describe(`${name}: list conventions`, () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const total = 23;
    const ids: string[] = [];
    let app: App;
    let merchant: TestMerchant;

    beforeAll(async () => {
      ({ app } = await buildTestApp({ clock }));
      merchant = await createTestMerchant(clock);
      for (let i = 0; i < total; i++) {
        clock.advance(60_000);
        ids.push(await target.create(app, merchant.sandboxSecret, i, clock));
      }
    });

    const list = async (query: string, key = merchant.sandboxSecret) => {
      const response = await app.inject({ method: 'GET', url: `${target.url}${query}`, headers: bearer(key) });
      return response;
    };
    const page = async (query: string) => {
      const response = await list(query);
      expect(response.statusCode, response.body).toBe(200);
      const raw = response.json() as { data: Record<string, unknown>[]; page_meta: Record<string, unknown> };
      if (target.contractPath) expectResponse('get', target.contractPath, 200, raw);
      else target.checkPage?.(raw);
      const idField = target.idField ?? 'id';
      return { ...raw, data: raw.data.map((item) => ({ ...item, id: item[idField] }) as unknown as Listed) };
    };
    const newestFirst = () => [...ids].reverse();

    it('lists newest first, 20 per page by default, with exact page_meta', async () => {
      const body = await page('');
      expect(body.data.map((item) => item.id)).toEqual(newestFirst().slice(0, 20));
      expect(body.page_meta).toEqual({ current: 1, previous: null, next: 2, per_page: 20, pages: 2, count: total });
    });

    it('pages with page and per_page, clamps per_page above 100, and answers an empty page past the end', async () => {
      const second = await page('?page=2&per_page=10');
      expect(second.data.map((item) => item.id)).toEqual(newestFirst().slice(10, 20));
      expect(second.page_meta).toEqual({ current: 2, previous: 1, next: 3, per_page: 10, pages: 3, count: total });
      const last = await page('?page=3&per_page=10');
      expect(last.data.map((item) => item.id)).toEqual(newestFirst().slice(20));
      expect(last.page_meta).toMatchObject({ next: null });
      const clamped = await page('?per_page=1000');
      expect(clamped.page_meta.per_page).toBe(100);
      expect(clamped.data).toHaveLength(total);
      const beyond = await page('?page=9');
      expect(beyond.data).toEqual([]);
      expect(beyond.page_meta).toMatchObject({ current: 9, previous: 8, next: null });
    });

    it('filters strictly before and after a creation time', async () => {
      const all = (await page('?per_page=100')).data;
      const pivot = all[10]!;
      const before = await page(`?per_page=100&before=${pivot.created_at}`);
      expect(before.data.map((item) => item.id)).toEqual(all.slice(11).map((item) => item.id));
      expect(before.page_meta.count).toBe(total - 11);
      const after = await page(`?per_page=100&after=${pivot.created_at}`);
      expect(after.data.map((item) => item.id)).toEqual(all.slice(0, 10).map((item) => item.id));
      const window = await page(`?per_page=100&after=${all[15]!.created_at}&before=${all[5]!.created_at}`);
      expect(window.data.map((item) => item.id)).toEqual(all.slice(6, 15).map((item) => item.id));
    });

    it.each([
      ['?page=0', 'Validation failed: Page must be greater than or equal to 1'],
      ['?page=-1', 'Validation failed: Page must be greater than or equal to 1'],
      ['?per_page=0', 'Validation failed: Per page must be greater than or equal to 1'],
      ['?per_page=ten', 'Validation failed: Per page must be an integer'],
      ['?page=1.5', 'Validation failed: Page must be an integer'],
      ['?before=yesterday', 'Validation failed: Before must be an ISO-8601 timestamp'],
      ['?after=2026-13-45', 'Validation failed: After must be an ISO-8601 timestamp'],
      ['?before=2026-13-45T00:00:00Z', 'Validation failed: Before must be an ISO-8601 timestamp'],
      ['?before=2026-02-30T10:00:00Z', 'Validation failed: Before must be an ISO-8601 timestamp'],
      ['?after=2026-01-01T24:00:00Z', 'Validation failed: After must be an ISO-8601 timestamp'],
    ])('answers 400 for %s', async (query, message) => {
      const response = await list(query);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'Bad Request', message: expect.stringContaining(message) });
    });

    it("shows nothing of it to the merchant's production key or to another merchant", async () => {
      const other = await createTestMerchant(clock);
      for (const key of [merchant.productionSecret, other.sandboxSecret]) {
        const response = await list('', key);
        expect(response.json()).toEqual({ data: [], page_meta: { current: 1, previous: null, next: null, per_page: 20, pages: 0, count: 0 } });
      }
    });
  });
}

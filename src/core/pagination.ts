// Lists: `page`, `per_page` (default 20, clamped to 100), `before`/`after` on creation time, newest first,
// answered as `{data, page_meta}`. Every list query runs on a (merchant_id, env, created_at desc, id desc) index.
import { and, count, desc, gt, lt, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { Type, type Static } from 'typebox';
import type { DbOrTx } from '../db/client.js';

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;

/**
 * The last page one may ask for: past it, `page=1e309` (Infinity once coerced) or `1e20` would make an offset the
 * database refuses. At 100 per page the offset stays below 10^11, exact and far inside bigint.
 */
export const MAX_PAGE = 1_000_000_000;

export const PaginationQuery = {
  // The cap sits in allOf so that each bound keeps its own message (`Page must be greater than or equal to 1`,
  // `Page must be less than or equal to 1000000000`) rather than one `between` for both.
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1, allOf: [{ maximum: MAX_PAGE }], description: 'Page number, from 1.' })),
  per_page: Type.Optional(
    Type.Integer({ minimum: 1, default: DEFAULT_PER_PAGE, description: 'Items per page, 1..100; larger values are clamped to 100.' }),
  ),
  before: Type.Optional(Type.String({ format: 'timestamp', description: 'Only objects created strictly before this ISO-8601 UTC time.' })),
  after: Type.Optional(Type.String({ format: 'timestamp', description: 'Only objects created strictly after this ISO-8601 UTC time.' })),
};

export const PageMeta = Type.Object({
  current: Type.Integer(),
  previous: Type.Union([Type.Integer(), Type.Null()]),
  next: Type.Union([Type.Integer(), Type.Null()]),
  per_page: Type.Integer(),
  pages: Type.Integer(),
  count: Type.Integer(),
});
export type PageMeta = Static<typeof PageMeta>;

export const ListOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ data: Type.Array(item), page_meta: PageMeta });

export interface PageRequest {
  page: number;
  perPage: number;
  before?: Date | undefined;
  after?: Date | undefined;
}

export function pageRequest(query: { page?: number; per_page?: number; before?: string; after?: string }): PageRequest {
  return {
    page: query.page ?? 1,
    perPage: Math.min(query.per_page ?? DEFAULT_PER_PAGE, MAX_PER_PAGE),
    before: query.before ? new Date(query.before) : undefined,
    after: query.after ? new Date(query.after) : undefined,
  };
}

export function pageMeta(request: PageRequest, total: number): PageMeta {
  const pages = Math.ceil(total / request.perPage);
  return {
    current: request.page,
    previous: request.page > 1 ? request.page - 1 : null,
    next: request.page < pages ? request.page + 1 : null,
    per_page: request.perPage,
    pages,
    count: total,
  };
}

interface ListableTable {
  id: PgColumn;
  createdAt: PgColumn;
}

/**
 * One page of `table` newest first, with the total count. `where` must start with the tenant filter so that
 * both queries run on the tenant's index; `before`/`after` become a range on that index.
 */
export async function listPage<TTable extends PgTable & ListableTable>(
  db: DbOrTx,
  table: TTable,
  where: SQL[],
  request: PageRequest,
): Promise<{ rows: TTable['$inferSelect'][]; meta: PageMeta }> {
  const conditions = [...where];
  if (request.before) conditions.push(lt(table.createdAt, request.before));
  if (request.after) conditions.push(gt(table.createdAt, request.after));
  const filter = and(...conditions);
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(table as PgTable)
      .where(filter)
      .orderBy(desc(table.createdAt), desc(table.id))
      .limit(request.perPage)
      .offset((request.page - 1) * request.perPage),
    db.select({ total: count() }).from(table as PgTable).where(filter),
  ]);
  return { rows: rows as TTable['$inferSelect'][], meta: pageMeta(request, totals[0]?.total ?? 0) };
}

import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const documents = pgTable('documents', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  documentName: text('document_name').notNull(),
  /** The stored name shown to clients (`invoice_BC8tFdE.pdf`). */
  fileName: text('file_name').notNull(),
  originalFileName: text('original_file_name').notNull(),
  contentType: text('content_type').notNull(),
  sizeBytes: bigint('size_bytes', { mode: 'bigint' }).notNull(),
  sha256: text('sha256').notNull(),
  /** Where the bytes are, in the document store's own terms. */
  storageKey: text('storage_key').notNull(),
  status: text('status').$type<'uploaded' | 'approved' | 'rejected'>().notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('documents_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  envCheck('documents', t.env),
  check('documents_status_ck', sql`${t.status} in ('uploaded', 'approved', 'rejected')`),
]);

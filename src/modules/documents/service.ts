// Documents: multipart upload (`document_name` + `file`), retrieve and list, per merchant environment.
import type { Readable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { documents } from '../../db/schema/index.js';
import { isoSeconds } from '../../core/clock.js';
import type { TenantContext } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { assertIdPrefix, ID_PREFIXES, newId, randomBase62 } from '../../core/ids.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { ALLOWED_TYPES_TEXT, sniffDocumentType } from './content-type.js';
import type { DocumentResponse, ListDocumentsQuery } from './schemas.js';
import type { DocumentStore } from './storage.js';

export interface DocumentDeps {
  db: Db;
  store: DocumentStore;
  maxBytes: number;
}

type DocumentRow = typeof documents.$inferSelect;

export const DOCUMENT_NAME_MAX = 100;

export function presentDocument(row: DocumentRow): DocumentResponse {
  return {
    id: row.id,
    document_name: row.documentName,
    file_name: row.fileName,
    status: row.status,
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  };
}

/** One multipart part, as the route reads them in arrival order. */
export type UploadPart =
  | { kind: 'field'; name: string; value: string }
  | { kind: 'file'; name: string; fileName: string; stream: Readable; truncated: () => boolean };

function fileStem(documentName: string): string {
  // Cut before trimming, so that a cut at a separator does not leave a trailing `_` (`name__AbC1234.pdf`).
  const stem = documentName.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40).replace(/^_+|_+$/g, '');
  return stem || 'document';
}

/**
 * Stores the file first (the parts may arrive in any order), then validates the fields and records the
 * document and its event in one transaction. Whatever fails after the bytes were stored removes them again.
 */
export async function uploadDocument(deps: DocumentDeps, ctx: TenantContext, parts: AsyncIterable<UploadPart>): Promise<DocumentResponse> {
  const { tenant, clock } = ctx;
  // The creation time is read once, before the upload streams in: the id must encode the same second as
  // created_at, however long the upload takes.
  const now = clock.now();
  // The first id also names the stored object; on the rare id collision the row takes a fresh id and keeps
  // this storage key (the row records it).
  const id = newId(ID_PREFIXES.document, now);
  const storageKey = `${tenant.merchantId}/${tenant.env}/${id}`;
  let documentName: string | undefined;
  let stored: { originalFileName: string; sizeBytes: bigint; sha256: string; head: Buffer } | undefined;
  try {
    for await (const part of parts) {
      if (part.kind === 'field') {
        if (part.name === 'document_name') documentName = part.value;
        continue;
      }
      if (part.name !== 'file') {
        part.stream.resume();
        throw errors.validation(`Unexpected file field '${part.name}'; send the file as 'file'`);
      }
      if (stored) throw errors.validation('Send exactly one file');
      const object = await deps.store.put(storageKey, part.stream);
      stored = { originalFileName: part.fileName, ...object };
      if (part.truncated()) throw errors.fileTooLarge(deps.maxBytes);
    }
    const name = documentName?.trim() ?? '';
    if (name === '') throw errors.blank('document_name');
    if (name.length > DOCUMENT_NAME_MAX) throw errors.validation(`Document name is too long (maximum is ${DOCUMENT_NAME_MAX} characters)`);
    if (!stored) throw errors.blank('file');
    if (stored.sizeBytes === 0n) throw errors.validation('File is empty');
    const type = sniffDocumentType(stored.head);
    if (!type) throw errors.validation(`File must be a ${ALLOWED_TYPES_TEXT} file`);

    const fields: Omit<DocumentRow, 'id'> = {
      ...tenant,
      documentName: name,
      fileName: `${fileStem(name)}_${randomBase62(7)}.${type.extension}`,
      originalFileName: stored.originalFileName.slice(0, 255),
      contentType: type.contentType,
      sizeBytes: stored.sizeBytes,
      sha256: stored.sha256,
      storageKey,
      status: 'uploaded',
      createdAt: now,
      updatedAt: now,
    };
    let draw = 0;
    const nextId = () => (draw++ === 0 ? id : newId(ID_PREFIXES.document, now));
    return await deps.db.transaction(async (tx) => {
      const uow = { tx, ...ctx };
      const row = await insertWithFreshId(tx, documents, nextId, fields);
      const document = presentDocument(row);
      await recordEvent(uow, { entityType: 'document', eventType: 'uploaded', entityId: row.id, data: document });
      return document;
    });
  } catch (error) {
    await deps.store.delete(storageKey);
    throw error;
  }
}

export async function getDocument(deps: Pick<DocumentDeps, 'db'>, tenant: Tenant, id: string): Promise<DocumentResponse> {
  assertIdPrefix(ID_PREFIXES.document, id);
  const [row] = await deps.db.select().from(documents).where(and(tenantFilter(documents, tenant), eq(documents.id, id)));
  if (!row) throw errors.notFound('Document');
  return presentDocument(row);
}

/** The tenant's document row, or undefined (for other modules that check a `doc_…` id they were sent). */
export async function findDocument(db: DbOrTx, tenant: Tenant, id: string): Promise<DocumentRow | undefined> {
  const [row] = await db.select().from(documents).where(and(tenantFilter(documents, tenant), eq(documents.id, id)));
  return row;
}

export async function listDocuments(
  deps: Pick<DocumentDeps, 'db'>,
  tenant: Tenant,
  query: ListDocumentsQuery,
): Promise<{ data: DocumentResponse[]; page_meta: PageMeta }> {
  const page = await listPage(deps.db, documents, [tenantFilter(documents, tenant)], pageRequest(query));
  return { data: page.rows.map(presentDocument), page_meta: page.meta };
}

/** The document operations the routes call, built once by the composition root; each runs on the caller's context. */
export function createDocumentService(deps: DocumentDeps) {
  return Object.freeze({
    /** The largest upload, in bytes (DOCUMENT_MAX_BYTES): the multipart limits are set from it. */
    maxBytes: deps.maxBytes,
    upload: (ctx: TenantContext, parts: AsyncIterable<UploadPart>) => uploadDocument(deps, ctx, parts),
    list: (ctx: TenantContext, query: ListDocumentsQuery) => listDocuments(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getDocument(deps, ctx.tenant, id),
  });
}

export type DocumentService = ReturnType<typeof createDocumentService>;

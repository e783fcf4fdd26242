import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import type { Config } from '../../config.js';
import { documents, events } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';

// ---------------------------------------------------------------------------------------------------------------
// Multipart bodies, built by hand.

interface FilePart {
  name: string;
  filename: string;
  content: Buffer;
  contentType?: string;
}

const BOUNDARY = '----glomo-test-boundary-7MA4YWxkTrZu0gW';

/** A multipart/form-data body with `fields` (text parts, in order) and then `files`. */
function multipartBody(fields: Record<string, string>, files: FilePart[] = [], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    chunks.push(Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\n` +
      `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
    ));
    chunks.push(file.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const multipartHeaders = (boundary = BOUNDARY) => ({ 'content-type': `multipart/form-data; boundary=${boundary}` });

// Small but real-looking files of each accepted type (and one that is not).
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n' +
  'trailer <</Root 1 0 R>>\n%%EOF\n',
);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.from('0000000049454e44ae426082', 'hex'),
]);
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0', 'latin1'),
  Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]),
]);
const TEXT = Buffer.from('Just some plain text, pretending to be an invoice.\n');

const pdfFile = (overrides: Partial<FilePart> = {}): FilePart =>
  ({ name: 'file', filename: 'invoice.pdf', content: PDF, contentType: 'application/pdf', ...overrides });

const DOC_ID = /^doc_[0-9a-f]{8}[0-9A-Za-z]{5}$/;

interface DocumentBody {
  id: string;
  document_name: string;
  file_name: string;
  status: string;
  created_at: string;
  updated_at: string;
}

function upload(app: App, key: string, fields: Record<string, string>, files: FilePart[] = []) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/document',
    headers: { ...bearer(key), ...multipartHeaders() },
    payload: multipartBody(fields, files),
  });
}

async function createDocument(app: App, key: string, documentName = 'invoice', file: FilePart = pdfFile()): Promise<DocumentBody> {
  const response = await upload(app, key, { document_name: documentName }, [file]);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as DocumentBody;
}

/** Every file (temporary ones included) under the merchant's part of the documents folder, relative to it. */
function storedFiles(config: Config, merchantId: string): string[] {
  const root = path.join(config.dataDir, 'documents', merchantId);
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

const storedPath = (config: Config, merchantId: string, id: string, env = 'sandbox') =>
  path.join(config.dataDir, 'documents', merchantId, env, id);

async function eventsOf(entityId: string) {
  const { database } = await testEnv();
  return database.db.select().from(events).where(eq(events.entityId, entityId));
}

async function documentEventCount(merchantId: string): Promise<number> {
  const { database } = await testEnv();
  const rows = await database.db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.merchantId, merchantId), eq(events.entityType, 'document')));
  return rows.length;
}

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/v1/document', () => {
  let app: App;
  let config: Config;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app, config } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it.each([
    ['a PDF', pdfFile(), 'pdf', 'application/pdf'],
    ['a PNG', pdfFile({ filename: 'scan.png', content: PNG, contentType: 'image/png' }), 'png', 'image/png'],
    ['a JPEG', pdfFile({ filename: 'photo.jpeg', content: JPEG, contentType: 'image/jpeg' }), 'jpg', 'image/jpeg'],
  ])('uploads %s (201) in the contract shape and stores the exact bytes', async (_label, file, extension, contentType) => {
    const response = await upload(app, merchant.sandboxSecret, { document_name: 'invoice' }, [file]);
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json() as DocumentBody;
    expectResponse('post', '/document', 201, body);
    expect(body.id).toMatch(DOC_ID);
    expect(body).toMatchObject({ document_name: 'invoice', status: 'uploaded' });
    expect(body.file_name).toMatch(new RegExp(`^invoice_[0-9A-Za-z]{7}\\.${extension}$`));
    expect(body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(body.updated_at).toBe(body.created_at);
    // The id's time part is the creation time in Unix seconds.
    expect(parseInt(body.id.slice(4, 12), 16)).toBe(Date.parse(body.created_at) / 1000);

    expect(fs.readFileSync(storedPath(config, merchant.id, body.id)).equals(file.content)).toBe(true);

    const { database } = await testEnv();
    const [row] = await database.db.select().from(documents).where(eq(documents.id, body.id));
    expect(row).toMatchObject({
      merchantId: merchant.id,
      env: 'sandbox',
      originalFileName: file.filename,
      contentType,
      sizeBytes: BigInt(file.content.length),
      sha256: createHash('sha256').update(file.content).digest('hex'),
      storageKey: `${merchant.id}/sandbox/${body.id}`,
    });

    const read = await app.inject({ method: 'GET', url: `/api/v1/document/${body.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(body);
    expectSchema('DocumentResponse', read.json());
  });

  it('types the file by its bytes, not by the client file name or content type', async () => {
    const created = await createDocument(app, merchant.sandboxSecret, 'invoice', pdfFile({ filename: 'scan.pdf', content: PNG }));
    expect(created.file_name).toMatch(/^invoice_[0-9A-Za-z]{7}\.png$/);
    const noExtension = await createDocument(app, merchant.sandboxSecret, 'invoice', pdfFile({ filename: 'upload', contentType: 'text/plain' }));
    expect(noExtension.file_name).toMatch(/^invoice_[0-9A-Za-z]{7}\.pdf$/);
  });

  it('derives a safe file name from the document name and keeps the name as sent (trimmed)', async () => {
    const created = await createDocument(app, merchant.sandboxSecret, '  Q3 Invoice / ACME (final)  ');
    expect(created.document_name).toBe('Q3 Invoice / ACME (final)');
    expect(created.file_name).toMatch(/^q3_invoice_acme_final_[0-9A-Za-z]{7}\.pdf$/);
    const symbols = await createDocument(app, merchant.sandboxSecret, '***');
    expect(symbols.file_name).toMatch(/^document_[0-9A-Za-z]{7}\.pdf$/);
    const long = await createDocument(app, merchant.sandboxSecret, `${'a'.repeat(39)} b`);
    expect(long.file_name).toMatch(/^a{39}_[0-9A-Za-z]{7}\.pdf$/);
  });

  it('accepts the parts in any order and ignores unknown text fields', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/document',
      headers: { ...bearer(merchant.sandboxSecret), ...multipartHeaders() },
      payload: Buffer.concat([
        multipartBody({}, [pdfFile()]).subarray(0, -`--${BOUNDARY}--\r\n`.length),
        multipartBody({ note: 'ignored', document_name: 'late name' }),
      ]),
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ document_name: 'late name', status: 'uploaded' });
  });

  it('writes exactly one document.uploaded event in the outbox with the response as its data', async () => {
    const created = await createDocument(app, merchant.sandboxSecret);
    const rows = await eventsOf(created.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      merchantId: merchant.id,
      env: 'sandbox',
      entityType: 'document',
      eventType: 'uploaded',
      entityId: created.id,
      data: created,
    });
  });

  it('encodes the creation time in the id even when the upload takes time', async () => {
    // A clock that moves one second each time it is read, as a slow upload would see it.
    let reads = 0;
    const ticking = { now: () => new Date(Date.UTC(2026, 2, 1) + 1000 * reads++) };
    const { app: slowApp } = await buildTestApp({ clock: ticking });
    const created = await createDocument(slowApp, merchant.sandboxSecret);
    expect(parseInt(created.id.slice(4, 12), 16)).toBe(Date.parse(created.created_at) / 1000);
  });

  it('stores production uploads apart from sandbox ones', async () => {
    const created = await createDocument(app, merchant.productionSecret);
    expect(fs.readFileSync(storedPath(config, merchant.id, created.id, 'production')).equals(PDF)).toBe(true);
    const fromSandbox = await app.inject({ method: 'GET', url: `/api/v1/document/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(fromSandbox.statusCode).toBe(404);
  });
});

describe('POST /api/v1/document: rejected uploads leave nothing behind', () => {
  let app: App;
  let config: Config;
  let merchant: TestMerchant;
  let existing: DocumentBody;
  beforeAll(async () => {
    ({ app, config } = await buildTestApp());
    merchant = await createTestMerchant();
    existing = await createDocument(app, merchant.sandboxSecret);
  });

  /** Sends a request that must fail, then checks that no file, no row and no event was added. */
  async function expectRejected(
    request: () => Promise<LightMyRequestResponse>,
    status: number,
    expected: { error: string; message: string; code?: string },
  ): Promise<void> {
    const response = await request();
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject(expected);
    expect(storedFiles(config, merchant.id)).toEqual([`sandbox${path.sep}${existing.id}`]);
    const list = await app.inject({ method: 'GET', url: '/api/v1/document', headers: bearer(merchant.sandboxSecret) });
    expect(list.json().page_meta.count).toBe(1);
    expect(list.json().data.map((d: DocumentBody) => d.id)).toEqual([existing.id]);
    expect(await documentEventCount(merchant.id)).toBe(1);
  }

  const send = (fields: Record<string, string>, files: FilePart[] = []) => () => upload(app, merchant.sandboxSecret, fields, files);

  it('requires document_name', async () => {
    await expectRejected(send({}, [pdfFile()]), 400, { error: 'Bad Request', message: "Validation failed: Document name can't be blank" });
  });

  it('rejects a blank document_name', async () => {
    await expectRejected(send({ document_name: '   ' }, [pdfFile()]), 400, {
      error: 'Bad Request',
      message: "Validation failed: Document name can't be blank",
    });
  });

  it('rejects a document_name over 100 characters', async () => {
    await expectRejected(send({ document_name: 'x'.repeat(101) }, [pdfFile()]), 400, {
      error: 'Bad Request',
      message: 'Validation failed: Document name is too long (maximum is 100 characters)',
    });
  });

  it('requires a file', async () => {
    await expectRejected(send({ document_name: 'invoice' }), 400, { error: 'Bad Request', message: "Validation failed: File can't be blank" });
  });

  it('requires the file to be a file part, not a text field', async () => {
    await expectRejected(send({ document_name: 'invoice', file: '%PDF-1.4 as text' }), 400, {
      error: 'Bad Request',
      message: "Validation failed: File can't be blank",
    });
  });

  it('rejects a text file, whatever its name and content type claim', async () => {
    await expectRejected(send({ document_name: 'invoice' }, [pdfFile({ filename: 'notes.txt', content: TEXT, contentType: 'text/plain' })]), 400, {
      error: 'Bad Request',
      message: 'Validation failed: File must be a PDF, PNG or JPEG file',
    });
    await expectRejected(send({ document_name: 'invoice' }, [pdfFile({ filename: 'fake.pdf', content: TEXT })]), 400, {
      error: 'Bad Request',
      message: 'Validation failed: File must be a PDF, PNG or JPEG file',
    });
  });

  it('rejects a file shorter than any signature', async () => {
    await expectRejected(send({ document_name: 'invoice' }, [pdfFile({ content: Buffer.from('%PD') })]), 400, {
      error: 'Bad Request',
      message: 'Validation failed: File must be a PDF, PNG or JPEG file',
    });
  });

  it('rejects an empty file', async () => {
    await expectRejected(send({ document_name: 'invoice' }, [pdfFile({ content: Buffer.alloc(0) })]), 400, {
      error: 'Bad Request',
      message: 'Validation failed: File is empty',
    });
  });

  it('rejects two files', async () => {
    await expectRejected(send({ document_name: 'invoice' }, [pdfFile(), pdfFile({ filename: 'second.pdf' })]), 400, {
      error: 'Bad Request',
      message: 'Validation failed: Send exactly one file',
    });
  });

  it('rejects a file sent under another field name', async () => {
    await expectRejected(send({ document_name: 'invoice' }, [pdfFile({ name: 'attachment' })]), 400, {
      error: 'Bad Request',
      message: "Validation failed: Unexpected file field 'attachment'; send the file as 'file'",
    });
  });

  it('answers 400 for multipart/form-data without a boundary', async () => {
    await expectRejected(
      () => app.inject({
        method: 'POST', url: '/api/v1/document', payload: multipartBody({ document_name: 'invoice' }, [pdfFile()]),
        headers: { ...bearer(merchant.sandboxSecret), 'content-type': 'multipart/form-data' },
      }),
      400,
      { error: 'Bad Request', message: 'Validation failed: Content-Type multipart/form-data must name its boundary', code: 'VALIDATION_FAILED' },
    );
  });

  it('answers 400 for a boundary too long to split on, and for a body that ends before its closing boundary', async () => {
    const long = 'b'.repeat(300);
    await expectRejected(
      () => app.inject({
        method: 'POST', url: '/api/v1/document', payload: multipartBody({ document_name: 'invoice' }, [pdfFile()], long),
        headers: { ...bearer(merchant.sandboxSecret), ...multipartHeaders(long) },
      }),
      400,
      { error: 'Bad Request', message: 'Validation failed: Content-Type multipart/form-data names a boundary that is too long', code: 'VALIDATION_FAILED' },
    );
    const whole = multipartBody({ document_name: 'invoice' }, [pdfFile()]);
    for (const cut of [whole.length - 10, whole.indexOf('%PDF') + 10, 60]) {
      await expectRejected(
        () => app.inject({
          method: 'POST', url: '/api/v1/document', payload: whole.subarray(0, cut), headers: { ...bearer(merchant.sandboxSecret), ...multipartHeaders() },
        }),
        400,
        { error: 'Bad Request', message: 'Validation failed: Multipart body ends before its closing boundary', code: 'VALIDATION_FAILED' },
      );
    }
  });

  it('answers 400 for a NUL byte in a text field, a field name or the file name', async () => {
    const refusal = (field: string) => ({
      error: 'Bad Request', message: `Validation failed: ${field} must not contain NUL bytes or unpaired surrogates`, code: 'VALIDATION_FAILED',
    });
    await expectRejected(send({ document_name: 'in\u0000voice' }, [pdfFile()]), 400, refusal('Document name'));
    await expectRejected(send({ document_name: 'invoice', 'x\u0000': 'y' }, [pdfFile()]), 400, refusal('Request body'));
    await expectRejected(send({ document_name: 'invoice' }, [pdfFile({ filename: 'in\u0000voice.pdf' })]), 400, refusal('File name'));
  });

  it('answers 415 for a JSON body and for a body without a content type', async () => {
    await expectRejected(
      () => app.inject({ method: 'POST', url: '/api/v1/document', headers: bearer(merchant.sandboxSecret), payload: { document_name: 'invoice', file: 'JVBERi0xLjQ=' } }),
      415,
      { error: 'Unsupported Media Type', message: 'Unsupported Content-Type: application/json' },
    );
    await expectRejected(
      () => app.inject({ method: 'POST', url: '/api/v1/document', headers: bearer(merchant.sandboxSecret) }),
      415,
      { error: 'Unsupported Media Type', message: 'Unsupported Content-Type: (none)' },
    );
  });

  it('answers 415 for a text body', async () => {
    await expectRejected(
      () => app.inject({ method: 'POST', url: '/api/v1/document', headers: { ...bearer(merchant.sandboxSecret), 'content-type': 'text/plain' }, payload: 'hello' }),
      415,
      // Fastify rejects the type before the route runs; the app's error handler does not name the type then.
      { error: 'Unsupported Media Type', message: expect.stringMatching(/^Unsupported Content-Type: /) as unknown as string },
    );
  });
});

describe('POST /api/v1/document: size limit', () => {
  let app: App;
  let config: Config;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app, config } = await buildTestApp({ env: { DOCUMENT_MAX_BYTES: '2048' } }));
    merchant = await createTestMerchant();
  });

  const pdfOfSize = (size: number) => Buffer.concat([PDF, Buffer.alloc(size - PDF.length, 0x20)]);

  it('answers 413 for a file over DOCUMENT_MAX_BYTES and keeps nothing of it', async () => {
    const response = await upload(app, merchant.sandboxSecret, { document_name: 'invoice' }, [pdfFile({ content: pdfOfSize(5000) })]);
    expect(response.statusCode, response.body).toBe(413);
    expect(response.json()).toEqual({ error: 'Payload Too Large', message: 'File is larger than 2048 bytes', code: 'FILE_TOO_LARGE' });
    expect(storedFiles(config, merchant.id)).toEqual([]);
    const list = await app.inject({ method: 'GET', url: '/api/v1/document', headers: bearer(merchant.sandboxSecret) });
    expect(list.json().page_meta.count).toBe(0);
    expect(await documentEventCount(merchant.id)).toBe(0);
  });

  it('still answers 413 when the document name comes after the file', async () => {
    const body = Buffer.concat([
      multipartBody({}, [pdfFile({ content: pdfOfSize(5000) })]).subarray(0, -`--${BOUNDARY}--\r\n`.length),
      multipartBody({ document_name: 'invoice' }),
    ]);
    const response = await app.inject({
      method: 'POST', url: '/api/v1/document', headers: { ...bearer(merchant.sandboxSecret), ...multipartHeaders() }, payload: body,
    });
    expect(response.statusCode, response.body).toBe(413);
    expect(storedFiles(config, merchant.id)).toEqual([]);
  });

  it('accepts a file of exactly the limit', async () => {
    const created = await createDocument(app, merchant.sandboxSecret, 'invoice', pdfFile({ content: pdfOfSize(2048) }));
    expect(fs.statSync(storedPath(config, merchant.id, created.id)).size).toBe(2048);
  });
});

describeListConventions('GET /api/v1/document', {
  url: '/api/v1/document',
  contractPath: '/document',
  create: async (app, key, i) => (await createDocument(app, key, `document ${i}`, i % 2 ? pdfFile({ content: PNG }) : pdfFile())).id,
});

describe('GET /api/v1/document/{id}', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('answers the uploaded document in the contract shape', async () => {
    const created = await createDocument(app, merchant.sandboxSecret, 'passport', pdfFile({ content: JPEG }));
    const response = await app.inject({ method: 'GET', url: `/api/v1/document/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode).toBe(200);
    expectSchema('DocumentResponse', response.json());
    expect(response.json()).toEqual(created);
  });
});

describeSecurity('POST /api/v1/document', {
  method: 'POST',
  url: () => '/api/v1/document',
  headers: multipartHeaders(),
  payload: () => multipartBody({ document_name: 'invoice' }, [pdfFile()]),
});
describeSecurity('GET /api/v1/document', {
  method: 'GET',
  url: () => '/api/v1/document?per_page=100',
  listedObject: async (app, owner) => (await createDocument(app, owner.sandboxSecret)).id,
});
describeSecurity('GET /api/v1/document/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/document/${id}`,
  notFoundMessage: 'Document not found',
  idPrefix: 'doc',
  createObject: async (app, owner) => (await createDocument(app, owner.sandboxSecret)).id,
});

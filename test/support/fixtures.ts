// Objects other resources refer to, created through the API as a merchant would: a customer and a document.
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { bearer, customerBody } from './app.js';

export async function createCustomerId(app: App, key: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');
const BOUNDARY = '----glomo-test-fixture-boundary';

/** Uploads a small PDF named `passport` (or `name`) and answers the document id. */
export async function uploadDocumentId(app: App, key: string, name = 'passport'): Promise<string> {
  const payload = Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="document_name"\r\n\r\n${name}\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="passport.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    PDF,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  const response = await app.inject({
    method: 'POST', url: '/api/v1/document', payload,
    headers: { ...bearer(key), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

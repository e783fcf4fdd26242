// Embedded mode's folders hold the database (keys, customers) and customers' identity documents: this user only.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { LocalDocumentStore } from '../src/modules/documents/storage.js';
import { tempDir } from './support/app.js';

describe('the embedded data folders', () => {
  it('keeps the database folder to this user only (0700), also one that existed open to all', async () => {
    const pglite = path.join(tempDir('modes'), 'pglite');
    fs.mkdirSync(pglite);
    fs.chmodSync(pglite, 0o777);
    const database = await openDatabase({ pgliteDataDir: pglite });
    try {
      expect(fs.statSync(pglite).mode & 0o777).toBe(0o700);
    } finally {
      await database.close();
    }
  });

  it('creates the documents folders 0700 and the documents 0600', async () => {
    const root = path.join(tempDir('modes'), 'documents');
    await new LocalDocumentStore(root).put('merch_x/doc_1', Readable.from([Buffer.from('%PDF-1.7 test')]));
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(root, 'merch_x')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(root, 'merch_x', 'doc_1')).mode & 0o777).toBe(0o600);
  });
});

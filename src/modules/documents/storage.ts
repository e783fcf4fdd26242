// Where uploaded document bytes live. The server only uses this interface, so an object store can replace the
// local folder (several processes on PostgreSQL need either a shared DATA_DIR volume or such a store).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export interface StoredObject {
  sizeBytes: bigint;
  sha256: string;
  /** The first bytes, for content sniffing. */
  head: Buffer;
}

export interface DocumentStore {
  /** Writes the whole stream under key, or nothing if the stream fails (a size limit included). */
  put(key: string, source: Readable): Promise<StoredObject>;
  read(key: string): Readable;
  delete(key: string): Promise<void>;
}

const HEAD_BYTES = 16;

export class LocalDocumentStore implements DocumentStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_/-]*$/.test(key) || key.includes('..')) throw new Error(`Invalid storage key ${key}`);
    return path.join(this.root, key);
  }

  async put(key: string, source: Readable): Promise<StoredObject> {
    const target = this.pathOf(key);
    // Customers' identity documents: readable by this server's user only (the files are 0600 too).
    await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const temporary = `${target}.partial-${process.pid}`;
    const hash = createHash('sha256');
    let size = 0n;
    let head = Buffer.alloc(0);
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += BigInt(chunk.length);
        if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, fs.createWriteStream(temporary, { flags: 'wx', mode: 0o600 }));
      // link() fails if the target exists, where rename() would replace another object's bytes.
      await fs.promises.link(temporary, target);
    } finally {
      await fs.promises.rm(temporary, { force: true });
    }
    return { sizeBytes: size, sha256: hash.digest('hex'), head };
  }

  read(key: string): Readable {
    return fs.createReadStream(this.pathOf(key));
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }
}

// Backups of an embedded (PGlite) DATA_DIR: one tar file holding the database, the uploaded documents and
// credentials.json (docs/decisions/0024-backups.md). Written by the running server (it alone may open the folder),
// restored offline into a stopped or empty DATA_DIR. PostgreSQL deployments use pg_dump / pg_restore instead.
//
// The archive (plain ustar, readable with `tar -tvf`):
//   manifest.json      {"format": "glomo-backup", "version": 1, "created_at", "database": {...}, "documents": N}
//   pglite.tar.gz      PGlite's dumpDataDir, gzipped: the PostgreSQL data folder, taken right after a CHECKPOINT
//   credentials.json   the default merchant's keys, when the folder has one
//   documents/<key>    every stored document, as the document store keeps it
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import tar from 'tar-stream';
import type { Database } from './client.js';
import { acquireDataDirLock } from './pglite-lock.js';

const gzip = promisify(zlib.gzip);

export const BACKUP_FORMAT = 'glomo-backup';
export const BACKUP_VERSION = 1;

const MANIFEST = 'manifest.json';
const DATABASE_ENTRY = 'pglite.tar.gz';
const CREDENTIALS = 'credentials.json';
const DOCUMENTS = 'documents';
/** What a restore replaces in DATA_DIR; everything else there is left alone. */
const RESTORED_PARTS = ['pglite', DOCUMENTS, CREDENTIALS] as const;
/** A document store key (LocalDocumentStore's rule); anything else in the folder is not a document. */
const DOCUMENT_KEY = /^[A-Za-z0-9_][A-Za-z0-9_/-]*$/;

/** A backup that cannot be made here, or a file that is not one, or a target that must not be overwritten. */
export class BackupError extends Error {}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: number;
  created_at: string;
  database: { driver: 'pglite'; server_version: string; migrations: number };
  documents: number;
  document_bytes: number;
  credentials: boolean;
}

/** The PGlite client under a Database opened on PGlite (Drizzle keeps it as `$client`), or undefined on PostgreSQL. */
function pgliteClientOf(database: Database): PGlite | undefined {
  if (database.driver !== 'pglite') return undefined;
  const client = (database.db as unknown as { $client?: unknown }).$client;
  return client instanceof PGlite ? client : undefined;
}

/** Why this server cannot write a backup (PostgreSQL, or an in-memory test database), or undefined when it can. */
export function backupUnavailableReason(database: Database): string | undefined {
  if (database.driver === 'postgres') {
    return 'This server runs on PostgreSQL: back the database up with pg_dump -Fc, and DATA_DIR/documents with your volume backups (docs/operations.md, Backups and durability)';
  }
  const client = pgliteClientOf(database);
  if (!client) return 'The embedded database cannot be reached for a backup';
  if (!client.dataDir) return 'The embedded database is in memory: there is nothing on disk to back up';
  return undefined;
}

/**
 * The database folder as PGlite's tarball, consistent: taken while holding PGlite's transaction lock (the
 * lock every Drizzle query and transaction waits for), so no transaction is half done, right after a CHECKPOINT, so
 * the copy needs no WAL replay when it is opened. Every other query waits meanwhile.
 */
async function dumpPglite(client: PGlite): Promise<{ dump: Buffer; serverVersion: string; migrations: number }> {
  return client.transaction(async (tx) => {
    const version = await tx.query<{ server_version: string }>('show server_version');
    // The server migrates at every start, so the table exists (a failing statement would abort the transaction).
    const migrations = await tx.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
    await tx.exec('checkpoint');
    // Uncompressed under the lock (PGlite's gzip is 4x slower: 1.3 s against 5.5 s for a fresh 43 MB folder here);
    // it is gzipped after, on libuv's thread pool, while the server runs again.
    const blob = await client.dumpDataDir('none');
    return {
      dump: Buffer.from(await blob.arrayBuffer()),
      serverVersion: version.rows[0]?.server_version ?? 'unknown',
      migrations: migrations.rows[0]?.n ?? 0,
    };
  });
}

/** Every document file under root, as [key, absolute path], skipping a store's unfinished `.partial-` files. */
async function listDocuments(root: string): Promise<Array<[string, string]>> {
  const found: Array<[string, string]> = [];
  async function walk(dir: string): Promise<void> {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const key = path.relative(root, full).split(path.sep).join('/');
        if (DOCUMENT_KEY.test(key) && !key.includes('..')) found.push([key, full]);
      }
    }
  }
  await walk(root);
  return found;
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.promises.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function addEntry(pack: tar.Pack, name: string, data: Buffer, mode = 0o600, mtime = new Date()): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, size: data.length, mode, mtime, type: 'file' }, data, (error) => (error ? reject(error) : resolve()));
  });
}

/** A stored file as an entry, read as the pack drains (a store's file never changes once it is linked into place). */
async function addFileEntry(pack: tar.Pack, name: string, file: string): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (error) {
    // Deleted since it was listed (an upload whose row failed): it is no document of the dumped database.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const stat = await handle.stat();
    const sink = pack.entry({ name, size: stat.size, mode: 0o600, mtime: stat.mtime, type: 'file' });
    const done = new Promise<void>((resolve, reject) => {
      sink.once('error', reject);
      sink.once('finish', () => resolve());
    });
    let remaining = stat.size;
    const buffer = Buffer.alloc(64 * 1024);
    while (remaining > 0) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, remaining), stat.size - remaining);
      if (bytesRead === 0) throw new Error(`${file} became shorter while it was read`);
      remaining -= bytesRead;
      if (!sink.write(Buffer.from(buffer.subarray(0, bytesRead)))) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
    }
    sink.end(undefined);
    await done;
  } finally {
    await handle.close();
  }
}

/**
 * A backup of the running embedded server's DATA_DIR, as a tar stream. The database is dumped first and the
 * documents read after it: a document row is committed only after its file is complete, so every document the
 * dumped database knows is in the archive (a file uploaded meanwhile may be too, unreferenced and harmless).
 * Throws BackupError (before any byte is produced) when backupUnavailableReason says why not.
 */
export async function createBackup(database: Database, dataDir: string, now = new Date()): Promise<Readable> {
  const unavailable = backupUnavailableReason(database);
  const client = pgliteClientOf(database);
  if (unavailable !== undefined || !client) throw new BackupError(unavailable ?? 'No embedded database');
  const { dump: tarball, serverVersion, migrations } = await dumpPglite(client);
  const dump = await gzip(tarball);
  const credentials = await readIfExists(path.join(dataDir, CREDENTIALS));
  const documents = await listDocuments(path.join(dataDir, DOCUMENTS));
  const sizes = await Promise.all(documents.map(async ([, file]) => (await fs.promises.stat(file).catch(() => undefined))?.size ?? 0));
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created_at: now.toISOString(),
    database: { driver: 'pglite', server_version: serverVersion, migrations },
    documents: documents.length,
    document_bytes: sizes.reduce((a, b) => a + b, 0),
    credentials: credentials !== undefined,
  };
  const pack = tar.pack();
  const output = new PassThrough();
  // If the reader goes away (client disconnected), the pipeline fails and the writes below end with it.
  pipeline(pack, output).catch(() => undefined);
  (async () => {
    // The manifest comes first: a restore checks it before it writes anything.
    await addEntry(pack, MANIFEST, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 0o644, now);
    await addEntry(pack, DATABASE_ENTRY, dump, 0o600, now);
    if (credentials) await addEntry(pack, CREDENTIALS, credentials, 0o600, now);
    // Streamed, with the reader's pace: a slow download does not pull every document into memory.
    for (const [key, file] of documents) await addFileEntry(pack, `${DOCUMENTS}/${key}`, file);
    pack.finalize();
  })().catch((error: unknown) => {
    output.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return output;
}

export interface RestoreOptions {
  /** Replace the database, documents and credentials.json already in the target folder. */
  force?: boolean;
}

export interface RestoreResult {
  manifest: BackupManifest;
  dataDir: string;
  documents: number;
  documentBytes: number;
  credentials: boolean;
  merchants: number;
  /** What --force replaced. */
  replaced: string[];
}

function parseManifest(data: Buffer): BackupManifest {
  let manifest: Partial<BackupManifest>;
  try {
    manifest = JSON.parse(data.toString('utf8')) as Partial<BackupManifest>;
  } catch {
    throw new BackupError('Not a glomo backup: manifest.json is not JSON');
  }
  if (manifest.format !== BACKUP_FORMAT) throw new BackupError('Not a glomo backup: manifest.json has no "format": "glomo-backup"');
  if (manifest.version !== BACKUP_VERSION) {
    throw new BackupError(`Backup format version ${String(manifest.version)} is not supported (this glomo reads version ${BACKUP_VERSION})`);
  }
  return manifest as BackupManifest;
}

async function readStream(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** What the target folder already holds that a restore would replace or that makes it "not empty". */
function existingParts(dataDir: string): string[] {
  if (!fs.existsSync(dataDir)) return [];
  return fs.readdirSync(dataDir).filter((name) => name !== 'glomo.lock' && !name.startsWith('.restore-'));
}

/**
 * Restores a backup file into dataDir, offline: refuses while a live process holds the folder's lock (and holds it
 * itself meanwhile, so no server starts half way), refuses a folder that is not empty unless `force`. Everything is
 * unpacked and the database opened once (it must start and answer) in a staging folder inside dataDir first; only
 * then are the old parts replaced, so a bad or truncated file changes nothing.
 */
export async function restoreBackup(file: string, dataDir: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const target = path.resolve(dataDir);
  if (!fs.existsSync(file)) throw new BackupError(`No such file: ${file}`);
  fs.mkdirSync(target, { recursive: true });
  // Throws DataDirLockedError when a live server (or another restore) holds the folder.
  const lock = acquireDataDirLock(target);
  const staging = path.join(target, `.restore-${process.pid}`);
  try {
    const present = existingParts(target);
    if (present.length > 0 && !options.force) {
      throw new BackupError(`${target} is not empty (${present.join(', ')}): restore into an empty folder, or pass --force to replace its database, documents and credentials.json`);
    }
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true, mode: 0o700 });

    let manifest: BackupManifest | undefined;
    let dump: Buffer | undefined;
    let credentials = false;
    let documents = 0;
    let documentBytes = 0;
    const extract = tar.extract();
    const reading = (async () => {
      for await (const entry of extract) {
        const name = entry.header.name;
        if (manifest === undefined && name !== MANIFEST) throw new BackupError(`Not a glomo backup: its first entry is ${name}, not manifest.json`);
        if (entry.header.type !== 'file') throw new BackupError(`Unexpected ${entry.header.type} entry ${name} in the backup`);
        if (name === MANIFEST) {
          if (manifest !== undefined) throw new BackupError('The backup has two manifests');
          manifest = parseManifest(await readStream(entry));
        } else if (name === DATABASE_ENTRY) {
          dump = await readStream(entry);
        } else if (name === CREDENTIALS) {
          await fs.promises.writeFile(path.join(staging, CREDENTIALS), await readStream(entry), { flag: 'wx', mode: 0o600 });
          credentials = true;
        } else if (name.startsWith(`${DOCUMENTS}/`)) {
          const key = name.slice(DOCUMENTS.length + 1);
          if (!DOCUMENT_KEY.test(key) || key.includes('..')) throw new BackupError(`Unexpected document name ${name} in the backup`);
          const out = path.join(staging, DOCUMENTS, key);
          await fs.promises.mkdir(path.dirname(out), { recursive: true, mode: 0o700 });
          const data = await readStream(entry);
          await fs.promises.writeFile(out, data, { flag: 'wx', mode: 0o600 });
          documents += 1;
          documentBytes += data.length;
        } else {
          throw new BackupError(`Unexpected entry ${name} in the backup`);
        }
      }
    })();
    try {
      await Promise.all([pipeline(fs.createReadStream(file), extract), reading]);
    } catch (error) {
      if (error instanceof BackupError) throw error;
      throw new BackupError(`${file} is not a readable glomo backup: ${(error as Error).message}`);
    }
    if (!manifest) throw new BackupError(`${file} is not a glomo backup (no manifest.json)`);
    if (!dump) throw new BackupError(`${file} has no database (${DATABASE_ENTRY})`);
    if (documents !== manifest.documents) {
      // A document deleted while the backup was written is left out; fewer than announced is expected then, more is not.
      if (documents > manifest.documents) throw new BackupError(`${file} holds ${documents} documents, its manifest ${manifest.documents}`);
    }

    // Unpack the database the way PGlite does it, then open it once: it must start and answer.
    const pgliteDir = path.join(staging, 'pglite');
    const client = new PGlite(pgliteDir, { loadDataDir: new File([new Uint8Array(dump)], DATABASE_ENTRY, { type: 'application/x-gzip' }) });
    let merchants: number;
    try {
      await client.waitReady;
      const result = await client.query<{ n: number }>('select count(*)::int as n from merchants');
      merchants = result.rows[0]?.n ?? 0;
    } catch (error) {
      throw new BackupError(`The database in ${file} does not open: ${(error as Error).message}`);
    } finally {
      await client.close().catch(() => undefined);
    }

    const replaced: string[] = [];
    for (const part of RESTORED_PARTS) {
      const existing = path.join(target, part);
      if (fs.existsSync(existing)) {
        fs.rmSync(existing, { recursive: true, force: true });
        replaced.push(part);
      }
      const staged = path.join(staging, part);
      if (fs.existsSync(staged)) fs.renameSync(staged, existing);
    }
    return { manifest, dataDir: target, documents, documentBytes, credentials, merchants, replaced };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    lock.release();
  }
}

/** The manifest of a backup file (its first entry), without reading the rest: to check a file that was just saved. */
export async function readBackupManifest(file: string): Promise<BackupManifest> {
  const extract = tar.extract();
  const source = fs.createReadStream(file);
  source.pipe(extract as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of extract) {
      if (entry.header.name !== MANIFEST) throw new BackupError(`${file} is not a glomo backup: its first entry is ${entry.header.name}, not manifest.json`);
      return parseManifest(await readStream(entry));
    }
    throw new BackupError(`${file} is not a glomo backup: it is empty`);
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} is not a readable glomo backup: ${(error as Error).message}`);
  } finally {
    source.destroy();
    extract.destroy();
  }
}

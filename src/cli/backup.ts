// `glomo backup FILE` (downloads GET /admin/v1/backup from the running embedded server) and `glomo restore FILE
// --data-dir DIR` (offline, into a stopped or empty DATA_DIR). PostgreSQL: pg_dump / pg_restore (docs/operations.md).
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** main.ts's Io and FetchImpl, restated: importing them from main.ts would close an import cycle. */
interface Io {
  out(s: string): void;
  err(s: string): void;
}
type FetchImpl = typeof fetch;

/** A large embedded database takes a while to dump and send; the 30 s of the other commands is too short. */
const BACKUP_TIMEOUT_MS = 30 * 60 * 1000;

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

export async function backupCommand(
  options: { file: string; force: boolean; url: URL; token: string },
  io: Io,
  fetchImpl: FetchImpl,
): Promise<number> {
  const { file, force, url, token } = options;
  if (fs.existsSync(file) && !force) {
    io.err(`glomo: ${file} exists; pass --force to overwrite it`);
    return 2;
  }
  const endpoint = new URL('admin/v1/backup', url);
  let response: Response;
  try {
    response = await fetchImpl(endpoint, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/x-tar, application/json' },
      signal: AbortSignal.timeout(BACKUP_TIMEOUT_MS),
    });
  } catch (error) {
    io.err(`Cannot reach glomo-server at ${url.href.replace(/\/$/, '')}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
    return 1;
  }
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => '');
    let message = text.trim().slice(0, 300) || response.statusText;
    try {
      const body = JSON.parse(text) as { message?: unknown };
      if (typeof body.message === 'string' && body.message) message = body.message;
    } catch {
      // not JSON: the text as it is
    }
    io.err(`Error ${response.status}: ${message}`);
    return 1;
  }
  // Written beside the target and renamed when complete, so FILE is never a truncated backup.
  const partial = `${file}.partial-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), fs.createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
    const { readBackupManifest } = await import('../db/backup.js');
    const manifest = await readBackupManifest(partial);
    fs.renameSync(partial, file);
    const size = fs.statSync(file).size;
    io.out([
      `Wrote ${file} (${size} bytes), taken ${manifest.created_at}:`,
      `  database: embedded PostgreSQL ${manifest.database.server_version}, ${plural(manifest.database.migrations, 'migration')}`,
      `  documents: ${manifest.documents} (${manifest.document_bytes} bytes)`,
      `  credentials.json: ${manifest.credentials ? 'yes' : 'none'}`,
      `Restore it with: glomo restore ${file} --data-dir DIR (with the server stopped)`,
    ].join('\n'));
    return 0;
  } catch (error) {
    fs.rmSync(partial, { force: true });
    io.err(`glomo: backup failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

export async function restoreCommand(options: { file: string; dataDir: string; force: boolean }, io: Io): Promise<number> {
  const { BackupError, restoreBackup } = await import('../db/backup.js');
  const { DataDirLockedError } = await import('../db/pglite-lock.js');
  try {
    const result = await restoreBackup(options.file, options.dataDir, { force: options.force });
    io.out([
      `Restored ${options.file} (taken ${result.manifest.created_at}) into ${result.dataDir}:`,
      `  database: ${plural(result.merchants, 'merchant')}`,
      `  documents: ${result.documents} (${result.documentBytes} bytes)`,
      `  credentials.json: ${result.credentials ? 'yes' : 'none'}`,
      ...(result.replaced.length > 0 ? [`  replaced: ${result.replaced.join(', ')}`] : []),
      `Start the server with DATA_DIR=${result.dataDir}, then check: glomo ledger verify`,
    ].join('\n'));
    return 0;
  } catch (error) {
    if (error instanceof BackupError || error instanceof DataDirLockedError) {
      io.err(`glomo: restore refused: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

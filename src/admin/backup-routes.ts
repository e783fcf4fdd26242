// The operator API's backup: GET /admin/v1/backup streams a backup of the embedded server's DATA_DIR (database,
// documents, credentials.json) as one tar file; `glomo backup FILE` saves it, `glomo restore` puts it back offline.
// On PostgreSQL it answers 409: pg_dump is the backup there (docs/decisions/0024-backups.md).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../deps.js';
import { errors } from '../core/errors.js';
import { ErrorBody } from '../core/http-schemas.js';
import { backupUnavailableReason, createBackup } from '../db/backup.js';
import { adminErrors, adminSecurity } from './schemas.js';

/** `glomo-backup-20260601T120000Z.tar`: sorts by time, no characters a shell or a file system minds. */
export function backupFileName(now: Date): string {
  return `glomo-backup-${now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')}.tar`;
}

export const adminBackupRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get('/backup', {
    schema: {
      tags: ['admin'],
      summary: 'Download a backup of the embedded database, the documents and credentials.json',
      description:
        'A tar file: manifest.json, pglite.tar.gz (the database folder, dumped after a CHECKPOINT while every other ' +
        'query waits), credentials.json and documents/… . Restore it offline with `glomo restore FILE --data-dir DIR`. ' +
        'On PostgreSQL this answers 409 BACKUP_UNAVAILABLE: use pg_dump.',
      security: adminSecurity,
      response: {
        200: {
          description: 'The backup (application/x-tar), as an attachment.',
          content: { 'application/x-tar': { schema: Type.String({ format: 'binary' }) } },
        },
        409: ErrorBody,
        ...adminErrors,
      },
    },
  }, async (request, reply) => {
    const reason = backupUnavailableReason(deps.database);
    if (reason !== undefined) throw errors.backupUnavailable(reason);
    const now = new Date();
    const started = performance.now();
    const stream = await createBackup(deps.database, deps.config.dataDir, now);
    request.log.info({ dump_ms: Math.round(performance.now() - started) }, 'backup: database dumped, streaming');
    return reply
      .header('content-type', 'application/x-tar')
      .header('content-disposition', `attachment; filename="${backupFileName(now)}"`)
      .header('cache-control', 'no-store')
      // A stream is sent as it is (no serializer); the type provider only knows the schema's binary string.
      .send(stream as unknown as string);
  });
};

// Process entry for `npm start`: one server process, or with WEB_CONCURRENCY > 1 the cluster's primary and its workers.
import cluster from 'node:cluster';
import os from 'node:os';
import { joinCluster, runPrimary } from './cluster.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirLockedError } from './db/pglite-lock.js';
import { credentialsPath } from './modules/merchants/bootstrap.js';
import { startServer, type RunningServer } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.webConcurrency > 1 && cluster.isPrimary) return runPrimary(config);
  // A worker of the cluster: the primary checked the port, and asks it over IPC to shut down.
  const member = cluster.isWorker ? joinCluster() : undefined;
  const server = await startServer(config, {
    logger: { level: config.logLevel, redact: ['req.headers.authorization'] },
    portChecked: member !== undefined,
  });
  if (!member || member.printsBanner) printBanner(config, server);
  member?.ready();

  // Graceful shutdown (docs/decisions/0023-graceful-shutdown.md): the first SIGTERM or SIGINT drains requests and
  // jobs for at most SHUTDOWN_TIMEOUT_MS, then exits 0 (everything finished) or 1 (the timeout passed, or stopping
  // failed); a second one exits at once with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). A worker
  // ignores SIGINT (joinCluster) and drains when the primary asks.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals | 'primary') => {
    if (stopping) {
      if (signal === 'primary') return;
      server.app.log.warn({ signal }, 'second signal during shutdown: exiting at once');
      server.releaseLock();
      process.exit(128 + (os.constants.signals[signal] ?? 0));
    }
    stopping = true;
    server.app.log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    server.stop().then(
      (report) => {
        if (report.clean) {
          server.app.log.info({ elapsedMs: report.elapsedMs }, `shut down in ${report.elapsedMs} ms`);
          process.exit(0);
        }
        server.app.log.error(
          { elapsedMs: report.elapsedMs, unfinished: report.unfinished },
          `shutdown timed out after ${report.elapsedMs} ms (SHUTDOWN_TIMEOUT_MS ${config.shutdownTimeoutMs}); still running: ${report.unfinished.join('; ')}`,
        );
        process.exit(1);
      },
      (error: unknown) => {
        console.error('glomo-server: shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  if (!member) process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  member?.onShutdown(() => shutdown('primary'));
}

function printBanner(config: Config, server: RunningServer): void {
  const { credentials, created, sandboxKeyValid } = server.defaultMerchant;
  const lines = [
    '',
    `glomo-server listening on ${server.url} (database: ${server.database.driver === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'})`,
    `  API reference: ${server.url}/docs`,
  ];
  if (credentials && !sandboxKeyValid) {
    lines.push(
      `  The sandbox key in ${credentialsPath(config.dataDir)} (merchant ${credentials.merchant_id}) no longer works: it was revoked or rotated.`,
      '  Issue new keys with `glomo merchant keys reissue ID --env sandbox` (operator API, needs ADMIN_TOKEN).',
    );
  } else if (credentials) {
    lines.push(
      `  ${created ? 'Created' : 'Using'} merchant ${credentials.merchant_id} (${credentials.merchant_name}); keys in ${credentialsPath(config.dataDir)}`,
      '  Sandbox secret key:',
      `    ${credentials.sandbox.secret_key}`,
      `  Sandbox publishable key: ${credentials.sandbox.public_key}`,
      '  Try it:',
      `    curl -H "Authorization: Bearer $(node -p "require('${credentialsPath(config.dataDir)}').sandbox.secret_key")" ${server.url}/api/v1/customer`,
    );
  } else {
    lines.push('  Merchants exist already; create one with the operator API or `glomo merchant create --name NAME`.');
  }
  lines.push(config.adminToken
    ? `  Operator API on at ${server.url}/admin/v1 (ADMIN_TOKEN set; the glomo CLI uses it).`
    : '  Operator API off (set ADMIN_TOKEN to enable /admin/v1 and the glomo CLI).');
  console.log(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  if (error instanceof DataDirLockedError || error instanceof ConfigError) {
    console.error(`glomo-server: ${error.message}`);
    process.exit(2);
  }
  console.error('glomo-server failed to start:', error);
  process.exit(1);
});

// WEB_CONCURRENCY=N: N server processes sharing one port through node:cluster (docs/decisions/0043-web-concurrency.md).
// The primary serves no request: it checks the port, forks the workers (the first alone, so the migrations and the
// default merchant are made once and its banner is the only one), restarts a worker that dies, and coordinates the
// shutdown. Each worker is an ordinary server process (src/main.ts -> startServer) with its own pool and job runner.
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { pino } from 'pino';
import type { Config } from './config.js';
import { assertPortFree } from './server.js';

/** At most this many restarts of dead workers within RESTART_WINDOW_MS; one more and the primary gives up. */
export const MAX_RESTARTS = 5;
export const RESTART_WINDOW_MS = 60_000;
/**
 * Past a worker's own bound (SHUTDOWN_TIMEOUT_MS + 1 s to release its jobs + 2 s to close the database), the primary
 * kills what is left: a worker that hangs must not hold the shutdown for ever.
 */
const SHUTDOWN_BACKSTOP_MS = 5000;
/** A signal this soon after the first is a relayed copy of it, not an operator's second signal. */
const DUPLICATE_SIGNAL_MS = 1000;
/** Set (to 1) in the environment of the first worker only: it prints the start-up banner. */
const BANNER_ENV = 'GLOMO_CLUSTER_BANNER';

type Message = { glomo: 'ready' } | { glomo: 'shutdown' };

function isMessage(message: unknown, kind: Message['glomo']): boolean {
  return typeof message === 'object' && message !== null && (message as { glomo?: unknown }).glomo === kind;
}

/**
 * At most `max` restarts within any `windowMs`: take(now) answers the restart's number among those in the window, or
 * undefined when the budget is spent (the caller gives up; a refused restart is not counted).
 */
export function restartBudget(max = MAX_RESTARTS, windowMs = RESTART_WINDOW_MS) {
  const times: number[] = [];
  return {
    take(now: number): number | undefined {
      while (times.length > 0 && times[0]! <= now - windowMs) times.shift();
      if (times.length >= max) return undefined;
      times.push(now);
      return times.length;
    },
  };
}

/** A worker's side of the cluster. */
export interface ClusterMember {
  /** The first worker prints the start-up banner; the others, and the ones started in place of dead ones, do not. */
  printsBanner: boolean;
  /** Tells the primary this worker listens (after its banner, so the primary's line comes last). */
  ready(): void;
  /** Calls stop when the primary asks this worker to shut down; at once if it asked already (during the start). */
  onShutdown(stop: () => void): void;
}

/** Joins the cluster as a worker: call before starting the server, so a shutdown asked during the start is kept. */
export function joinCluster(): ClusterMember {
  let asked = false;
  let stop: (() => void) | undefined;
  process.on('message', (message) => {
    if (!isMessage(message, 'shutdown') || asked) return;
    asked = true;
    stop?.();
  });
  // A terminal's Ctrl-C reaches the whole process group: the primary coordinates, and asks over IPC.
  process.on('SIGINT', () => undefined);
  return {
    printsBanner: process.env[BANNER_ENV] === '1',
    ready: () => void process.send?.({ glomo: 'ready' } satisfies Message),
    onShutdown(fn) {
      stop = fn;
      if (asked) fn();
    },
  };
}

/**
 * The primary: checks the port once, forks the first worker and waits until it listens (it exits with the first
 * worker's exit code if that one fails first: the worker printed its one line), forks the others, then prints one
 * line. The process then lives on its workers' IPC channels, and exits from here.
 */
export async function runPrimary(config: Config): Promise<void> {
  await assertPortFree(config);
  const log = pino({ level: config.logLevel }).child({ role: 'primary' });
  const wanted = config.webConcurrency;
  const alive = new Set<Worker>();
  const ready = new Set<Worker>();
  const restarts = restartBudget();
  let phase: 'first' | 'rest' | 'running' = 'first';
  let stopping: { failed: boolean; signalled: boolean } | undefined;

  const fork = (banner: boolean): Worker => {
    const worker = cluster.fork(banner ? { [BANNER_ENV]: '1' } : {});
    alive.add(worker);
    worker.on('message', (message) => {
      if (!isMessage(message, 'ready')) return;
      ready.add(worker);
      if (stopping) return;
      if (phase === 'first') {
        phase = 'rest';
        for (let i = 1; i < wanted; i++) fork(false);
      }
      if (phase === 'running') log.info({ worker: worker.process.pid }, `server process ${worker.process.pid} is ready`);
      if (phase === 'rest' && ready.size === wanted) {
        phase = 'running';
        console.log(`  ${wanted} server processes (WEB_CONCURRENCY ${wanted}) under primary pid ${process.pid}\n`);
      }
    });
    // A worker that died can no longer be written to: its exit event follows.
    worker.on('error', () => undefined);
    return worker;
  };

  const askToStop = (worker: Worker) => {
    if (worker.isConnected()) worker.send({ glomo: 'shutdown' } satisfies Message);
  };

  const shutDown = (failed: boolean, signalled: boolean) => {
    stopping = { failed, signalled };
    for (const worker of alive) askToStop(worker);
    const backstop = setTimeout(() => {
      log.error(`${alive.size} server process(es) still running ${config.shutdownTimeoutMs + SHUTDOWN_BACKSTOP_MS} ms after the shutdown began: killing them`);
      for (const worker of alive) worker.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs + SHUTDOWN_BACKSTOP_MS);
    backstop.unref();
    if (alive.size === 0) process.exit(failed ? 1 : 0);
  };

  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker);
    const wasReady = ready.delete(worker);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (stopping) {
      if (code !== 0) stopping.failed = true;
      if (alive.size === 0) process.exit(stopping.failed ? 1 : 0);
      return;
    }
    if (phase === 'first' && !wasReady) {
      // It printed why (one line, exit code 2 for a bad setting); the primary adds nothing, unless it was killed.
      if (signal) console.error(`glomo-server: the first server process (pid ${worker.process.pid}) was killed by ${signal} while starting`);
      process.exit(code !== null && code !== 0 ? code : 1);
    }
    const restart = restarts.take(Date.now());
    if (restart === undefined) {
      log.error(
        { worker: worker.process.pid, code, signal },
        `server process ${worker.process.pid} exited (${how}) after ${MAX_RESTARTS} restarts within ${RESTART_WINDOW_MS / 1000} s: shutting the others down`,
      );
      shutDown(true, false);
      return;
    }
    log.warn(
      { worker: worker.process.pid, code, signal },
      `server process ${worker.process.pid} exited (${how}): starting another (restart ${restart} of at most ${MAX_RESTARTS} within ${RESTART_WINDOW_MS / 1000} s)`,
    );
    fork(false);
  });

  // The first signal asks every worker to drain (their own graceful stop); a second one kills them (as a second signal
  // does to a single process: exit 128 + its number). A signal within DUPLICATE_SIGNAL_MS of the first is the same one
  // delivered again: under `npm start` a terminal's Ctrl-C reaches this process from the process group and once more
  // through npm and tsx, which relay it (found by hand: the workers were killed instead of drained).
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined && Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    if (stopping?.signalled) {
      log.warn({ signal }, 'second signal during shutdown: killing the server processes');
      for (const worker of alive) worker.process.kill('SIGKILL');
      process.exit(128 + (os.constants.signals[signal] ?? 0));
    }
    firstSignalAt = Date.now();
    log.info({ signal, processes: alive.size }, 'shutting down');
    if (stopping) stopping.signalled = true;
    else shutDown(false, true);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  fork(true);
}

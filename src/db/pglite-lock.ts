// PGlite is single-process: two processes on one data folder silently lose rows. This lockfile makes a second
// process refuse to start instead.
import fs from 'node:fs';
import path from 'node:path';

export class DataDirLockedError extends Error {}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lock files this process holds. A lock file with our own pid that is not here was left by an earlier process that
 * had the same pid (a container's pid 1 restarted after a crash): it is stale, not ours.
 */
const heldByThisProcess = new Set<string>();

export function acquireDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.resolve(dataDir, 'glomo.lock');
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      heldByThisProcess.add(lockPath);
      let released = false;
      return {
        path: lockPath,
        release() {
          if (released) return;
          released = true;
          heldByThisProcess.delete(lockPath);
          if (readOwner(lockPath) === process.pid) fs.rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(lockPath);
    if (owner !== undefined && (owner === process.pid ? heldByThisProcess.has(lockPath) : processAlive(owner))) {
      throw new DataDirLockedError(
        `Another glomo-server process (pid ${owner}) is using the data folder ${dataDir}. ` +
          'The embedded database allows one process only: stop that process, start this one with another DATA_DIR, ' +
          'or set DATABASE_URL to run several processes on PostgreSQL.',
      );
    }
    if (owner === undefined) {
      // The owner may be between creating the file and writing its pid: give it a moment.
      const waitUntil = Date.now() + 50;
      while (Date.now() < waitUntil) { /* spin briefly; start-up only */ }
      if (readOwner(lockPath) !== undefined) continue;
    }
    // A stale lock from a process that died: move it aside atomically (only one contender wins), then retry.
    try {
      fs.renameSync(lockPath, `${lockPath}.stale-${process.pid}`);
      fs.rmSync(`${lockPath}.stale-${process.pid}`, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DataDirLockedError(`Could not take the lock ${lockPath}; is another process starting on ${dataDir}?`);
}

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/app.js';
import { acquireDataDirLock, DataDirLockedError } from './pglite-lock.js';

describe('the data folder lock', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it('refuses a second holder while the first lives, with a message that says what to do', () => {
    const dir = tempDir('lock');
    const sleeper = spawn('sleep', ['30']);
    cleanups.push(() => sleeper.kill());
    fs.writeFileSync(path.join(dir, 'glomo.lock'), `${sleeper.pid}\n`);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(/Another glomo-server process \(pid \d+\).*DATABASE_URL/);
  });

  it('refuses a second lock in the same process', () => {
    const dir = tempDir('lock');
    const lock = acquireDataDirLock(dir);
    cleanups.push(() => lock.release());
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
  });

  it('takes over the lock of a process that died, and releases it', () => {
    const dir = tempDir('lock');
    const dead = spawnSync('sh', ['-c', 'echo $$']);
    fs.writeFileSync(path.join(dir, 'glomo.lock'), dead.stdout);
    const lock = acquireDataDirLock(dir);
    expect(fs.readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    expect(fs.existsSync(lock.path)).toBe(false);
  });

  it("takes over a lock file with this process's pid that this process does not hold (a restarted container's pid 1 after a crash)", () => {
    const dir = tempDir('lock');
    fs.writeFileSync(path.join(dir, 'glomo.lock'), `${process.pid}\n`);
    const lock = acquireDataDirLock(dir);
    cleanups.push(() => lock.release());
    expect(fs.readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
    // Now it is held: a second take in this process is refused, also through another spelling of the folder.
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(path.join(dir, '.'))).toThrow(DataDirLockedError);
  });
});

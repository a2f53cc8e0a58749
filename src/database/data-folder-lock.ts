import { closeSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../common/startup-error';

/** The file in the embedded database's folder naming the process that has it open. */
export const LOCK_FILE = 'kaizen.lock';

interface Holder {
  pid: number;
  hostname: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
    return Number.isInteger(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

/**
 * PGlite has no lock of its own: two processes on one folder both accept writes and one's are
 * lost. The folder therefore holds a lock file with the owner's pid; a second process refuses to
 * start, and a lock whose process is gone (killed, crashed) is taken over.
 */
export class DataFolderLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(private readonly path: string) {
    // A process that exits without closing the app (process.exit) still frees the folder.
    process.once('exit', this.onExit);
  }

  static acquire(dir: string): DataFolderLock {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, JSON.stringify({ pid: process.pid, hostname: hostname(), since: new Date().toISOString() }));
        closeSync(fd);
        return new DataFolderLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(path);
      if (holder && (holder.hostname !== hostname() || alive(holder.pid))) {
        const who = holder.hostname === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.hostname}`;
        throw new StartupError(
          `the embedded database in ${dir} is in use by ${who} (since ${holder.since}); stop it, or set PGLITE_DATA_DIR to another folder. ` +
            'To run several instances on the same data, point them all at one PostgreSQL with DATABASE_URL (README: "Several instances")',
        );
      }
      if (!holder && attempt === 0) {
        // Being written by a process that just created it: look again before calling it stale.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      // Stale: renamed away first, so of two processes taking it over at once only one succeeds.
      const stale = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, stale);
        rmSync(stale, { force: true });
      } catch {
        // Another process took it over first; the next attempt sees its lock.
      }
    }
    throw new StartupError(`could not take the lock ${path}; remove it if no server is running on ${dir}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    try {
      if (readHolder(this.path)?.pid === process.pid) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

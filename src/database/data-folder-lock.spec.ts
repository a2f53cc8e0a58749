import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../common/startup-error';
import { DataFolderLock, LOCK_FILE } from './data-folder-lock';

describe('DataFolderLock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kaizen-lock-unit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const holdBy = (pid: number) =>
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, hostname: hostname(), since: '2026-01-01T00:00:00.000Z' }));

  it('takes a free folder, writes its pid, and frees it on release', () => {
    const lock = DataFolderLock.acquire(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a folder held by a live process, naming it and DATABASE_URL', () => {
    holdBy(process.ppid);
    expect(() => DataFolderLock.acquire(dir)).toThrow(StartupError);
    expect(() => DataFolderLock.acquire(dir)).toThrow(new RegExp(`in use by process ${process.ppid} .*DATABASE_URL`));
  });

  it('takes over a lock whose process is gone', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    holdBy(gone);
    const lock = DataFolderLock.acquire(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });
});

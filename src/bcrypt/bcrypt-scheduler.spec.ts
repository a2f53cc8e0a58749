import * as bcrypt from 'bcrypt';
import { BcryptScheduler, QUEUE_LIMITS } from './bcrypt-scheduler';

const scheduler = (maxRunning = 1) =>
  new BcryptScheduler({ BCRYPT_MAX_CONCURRENCY: maxRunning, BCRYPT_COST: 4 } as never);

describe('BcryptScheduler', () => {
  let hash: string;
  beforeAll(async () => {
    hash = await bcrypt.hash('secret', 4);
  });

  it('compares and hashes, and counts what it ran by kind', async () => {
    const s = scheduler();
    expect(await s.compare('key-first-use', 'secret', hash)).toBe(true);
    expect(await s.compare('password', 'wrong', hash)).toBe(false);
    expect(await bcrypt.compare('new', await s.hash('new'))).toBe(true);
    expect(s.stats()).toMatchObject({
      compares: { 'key-first-use': 1, 'key-suspect': 0, password: 1 },
      hashes: 1,
      running: 0,
      refused: 0,
    });
  });

  it('serves kinds in turn: a key queued behind 30 logins runs second, not 31st', async () => {
    const s = scheduler(1);
    const order: string[] = [];
    const track = (label: string, p: Promise<unknown>) => p.then(() => order.push(label));
    const jobs = Array.from({ length: 30 }, (_, i) => track(`login${i}`, s.compare('password', 'x', hash, '10.0.0.1')));
    jobs.push(track('key', s.compare('key-first-use', 'secret', hash, '10.0.0.2')));
    await Promise.all(jobs);
    expect(order.indexOf('key')).toBeLessThanOrEqual(2);
  });

  it('serves sources of one kind in turn: another address waits behind one job of a flooding address, not all', async () => {
    const s = scheduler(1);
    const order: string[] = [];
    const track = (label: string, p: Promise<unknown>) => p.then(() => order.push(label));
    const jobs = Array.from({ length: 30 }, (_, i) => track(`flood${i}`, s.compare('password', 'x', hash, '10.0.0.1')));
    jobs.push(track('other', s.compare('password', 'secret', hash, '10.0.0.9')));
    await Promise.all(jobs);
    expect(order.indexOf('other')).toBeLessThanOrEqual(2);
  });

  it('refuses with 503 beyond a source line, while other sources and kinds still queue', async () => {
    const s = scheduler(1);
    const { perSource } = QUEUE_LIMITS['key-suspect'];
    // One running plus a full line for 10.0.0.1.
    const accepted = Array.from({ length: perSource + 1 }, () => s.compare('key-suspect', 'x', hash, '10.0.0.1'));
    await expect(s.compare('key-suspect', 'x', hash, '10.0.0.1')).rejects.toMatchObject({ status: 503 });
    const others = [s.compare('key-suspect', 'secret', hash, '10.0.0.2'), s.compare('key-first-use', 'secret', hash, '10.0.0.1')];
    expect(await Promise.all(others)).toEqual([true, true]);
    await Promise.all(accepted);
    expect(s.stats().refused).toBe(1);
  });

  it('never runs more than its concurrency at once', async () => {
    const s = scheduler(2);
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, s.stats().running)), 1);
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.compare(i % 2 ? 'password' : 'key-first-use', 'x', hash)));
    clearInterval(sample);
    expect(peak).toBeLessThanOrEqual(2);
    expect(s.stats()).toMatchObject({ running: 0, waiting: { password: 0, 'key-first-use': 0 } });
  });

  it('room for 100 concurrent first uses of valid keys from one address (a restart)', () => {
    expect(QUEUE_LIMITS['key-first-use'].perSource).toBeGreaterThanOrEqual(100);
  });
});

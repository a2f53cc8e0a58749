import { ChildProcess, spawn } from 'node:child_process';
import request from 'supertest';
import { PasswordHasher } from '../src/auth/passwords';
import { randomAddress, randomNetwork64 } from './helpers/addresses';
import { eventually, withEnv } from './helpers/env';
import { PASSWORD, registerOrg } from './helpers/fixtures';
import { ServerProcess, startServerProcess } from './helpers/server-process';
import { startTestApp, TestApp } from './helpers/test-app';

const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const describeShared = shared ? describe : describe.skip;

type Login = (body: { email: string; password: string }, address: string) => Promise<number>;

const loginOn =
  (t: TestApp): Login =>
  async (body, address) =>
    (await t.api().post('/api/v1/auth/login').set('X-Forwarded-For', address).send(body)).status;

/** 199 wrong passwords and then the right one, all sent at once; the statuses in sending order. */
async function guessTogether(login: (i: number, body: { email: string; password: string }) => Promise<number>, email: string) {
  const bodies = Array.from({ length: 200 }, (_, i) => ({ email, password: i === 199 ? PASSWORD : `wrong-guess-${i}` }));
  return Promise.all(bodies.map((body, i) => login(i, body)));
}

/**
 * At most 10 wrong passwords checked, everything else refused unchecked. The right password is
 * sent last and is normally refused too; if it was checked (requests spread over two processes
 * are not handled in sending order), its success gave its reservation back, which is the one
 * check more a success may cost.
 */
function expectAtMostTenChecked(statuses: number[]) {
  const wrongChecked = statuses.filter((s) => s === 401).length;
  const succeeded = statuses.filter((s) => s === 200).length;
  expect(wrongChecked).toBeLessThanOrEqual(10);
  expect(succeeded).toBeLessThanOrEqual(1);
  expect(statuses.filter((s) => s !== 401 && s !== 200 && s !== 429)).toEqual([]);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(189);
}

describe('login attempts are reserved before the password is checked (e2e)', () => {
  let t: TestApp;
  let login: Login;
  beforeAll(async () => {
    t = await withEnv({ TRUST_PROXY: 'loopback' }, () => startTestApp());
    login = loginOn(t);
  });
  afterAll(() => t.close());

  it('checks at most 10 of 200 concurrent guesses for one email from one address; the rest get 429', async () => {
    const owner = await registerOrg(t);
    const address = randomAddress();
    const verify = jest.spyOn(t.app.get(PasswordHasher), 'verify');
    const statuses = await guessTogether((_, body) => login(body, address), owner.email);
    expectAtMostTenChecked(statuses);
    // One password check per answer that was not a 429; none for the refused ones.
    expect(verify.mock.calls.length).toBe(statuses.filter((s) => s !== 429).length);
    verify.mockRestore();
    // The budget is spent: even the right password is refused now, from any address, with Retry-After.
    const refused = await t.api().post('/api/v1/auth/login').set('X-Forwarded-For', randomAddress())
      .send({ email: owner.email, password: PASSWORD }).expect(429);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(refused.body.message).toContain('Too many failed logins');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
  });

  it('does not count a successful login as a failure, for the email or the address', async () => {
    const owner = await registerOrg(t);
    const address = randomAddress();
    for (let i = 0; i < 5; i++) expect(await login({ email: owner.email, password: 'wrong-password' }, address)).toBe(401);
    for (let i = 0; i < 20; i++) expect(await login({ email: owner.email, password: PASSWORD }, address)).toBe(200);
    // Five failures were counted, not 25: five more are allowed, then 429 for the rest of the window.
    for (let i = 0; i < 5; i++) expect(await login({ email: owner.email, password: 'wrong-password' }, address)).toBe(401);
    expect(await login({ email: owner.email, password: PASSWORD }, address)).toBe(429);
  });

  it('checks at most 100 failures per address across many emails, concurrently', async () => {
    const address = randomAddress();
    const statuses = await Promise.all(
      Array.from({ length: 150 }, (_, i) => login({ email: `nobody-${i}-${address}@example.com`, password: 'whatever-1' }, address)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(50);
    // A real user behind that address is refused too; from another address they are not.
    const owner = await registerOrg(t);
    expect(await login({ email: owner.email, password: PASSWORD }, address)).toBe(429);
    expect(await login({ email: owner.email, password: PASSWORD }, randomAddress())).toBe(200);
  });

  it('counts addresses of one IPv6 /64 together', async () => {
    const network = randomNetwork64();
    const neighbour = `${network.slice(0, network.lastIndexOf(':'))}:${(parseInt(network.split(':')[3], 16) ^ 1).toString(16)}`;
    const owner = await registerOrg(t);
    // 100 emails, each failing once, from 100 different addresses of one /64...
    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login({ email: `v6-${i}-${network.replace(/:/g, '-')}@example.com`, password: 'whatever-1' }, `${network}::${(i + 1).toString(16)}`)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(100);
    // ...spend the budget of every address in it.
    expect(await login({ email: owner.email, password: PASSWORD }, `${network}:ffff:ffff:ffff:fffe`)).toBe(429);
    expect(await login({ email: owner.email, password: PASSWORD }, `${neighbour}::1`)).toBe(200);
  });
});

describe('login attempts without Redis (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await withEnv({ TRUST_PROXY: 'loopback', REDIS_URL: undefined }, () => startTestApp());
  });
  afterAll(() => t.close());

  it('still checks at most 10 of 200 concurrent guesses', async () => {
    const owner = await registerOrg(t);
    const address = randomAddress();
    expectAtMostTenChecked(await guessTogether((_, body) => loginOn(t)(body, address), owner.email));
  });
});

/** A throwaway Redis on a port of this suite's range (7400-7499), so the test can stop it. */
async function startRedis(): Promise<{ child: ChildProcess; port: number }> {
  for (;;) {
    const port = 7400 + Math.floor(Math.random() * 100);
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await new Promise<boolean>((resolve) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    if (started) return { child, port };
  }
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });
}

describe('login attempts while Redis is down (e2e)', () => {
  let t: TestApp;
  let redis: ChildProcess;
  beforeAll(async () => {
    const started = await startRedis();
    redis = started.child;
    t = await withEnv({ TRUST_PROXY: 'loopback', REDIS_URL: `redis://127.0.0.1:${started.port}` }, () => startTestApp());
    const health = async () => (await t.api().get('/api/v1/health')).body.status;
    expect(await eventually(async () => (await health()) === 'ok', 10_000)).toBe(true);
  });
  afterAll(async () => {
    await t?.close();
    await stopRedis(redis);
  });

  it('counts in-process and still checks at most 10 of 200 concurrent guesses', async () => {
    const owner = await registerOrg(t);
    await stopRedis(redis);
    const address = randomAddress();
    expectAtMostTenChecked(await guessTogether((_, body) => loginOn(t)(body, address), owner.email));
  });
});

describeShared('login attempts on two server processes sharing Redis (e2e)', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    const env = { TRUST_PROXY: 'loopback', LOG_LEVEL: 'warn' };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.terminate(), b?.terminate()]);
  });

  it('checks at most 10 of 200 concurrent guesses spread over both', async () => {
    const registered = await request(a.baseUrl)
      .post('/api/v1/auth/register')
      .send({ email: `owner-${randomAddress()}-${Date.now()}@example.com`, password: PASSWORD, name: 'Owner', organization_name: 'Two' })
      .expect(201);
    const email: string = registered.body.user.email;
    const address = randomAddress();
    const statuses = await guessTogether(
      async (i, body) =>
        (await request(i % 2 === 0 ? a.baseUrl : b.baseUrl).post('/api/v1/auth/login').set('X-Forwarded-For', address).send(body)).status,
      email,
    );
    expectAtMostTenChecked(statuses);
    // Both instances now refuse the right password.
    for (const server of [a, b]) {
      await request(server.baseUrl).post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(429);
    }
  });
});


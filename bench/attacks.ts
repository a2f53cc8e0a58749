/**
 * Issue 9's scenarios: what happens when requests arrive together, as in a brute force, a flood or a
 * deploy. Each one is a count or a latency measured from outside, over HTTP, against compiled servers
 * sharing one database (and, where named, one Redis). Client addresses are X-Forwarded-For values,
 * believed because the servers run with TRUST_PROXY=loopback.
 */
import { randomBytes } from 'node:crypto';
import { withChecksum } from '../src/api-keys/verification/key-format';
import { httpRequest, HttpResponse } from './http';
import { percentiles } from './scenarios';
import { API, ServerProcess, sleep } from './server';

export interface AttackFigure {
  id: string;
  title: string;
  /** The measured figure (a count, or milliseconds when unit is 'ms'). */
  value: number | null;
  unit: '' | 'ms';
  /** The goal, as `<= N`. */
  max: number;
  detail: string;
  /** Set when the figure could not be measured for a reason that is not the server's failure. */
  skipped?: boolean;
}

/** PASS, FAIL, or SKIPPED; a figure with no value that was not skipped failed (the request itself failed). */
export function attackVerdict(figure: AttackFigure): 'PASS' | 'FAIL' | 'SKIPPED' {
  if (figure.value === null) return figure.skipped ? 'SKIPPED' : 'FAIL';
  return figure.value <= figure.max ? 'PASS' : 'FAIL';
}

/** The time of a request that had to succeed, or null when it did not. */
const okMs = (res: HttpResponse) => (res.status === 200 || res.status === 201 ? Math.round(res.ms) : null);
const outcome = (res: HttpResponse) => (res.status === 0 ? `failed: ${res.text.slice(0, 80)}` : `HTTP ${res.status}`);

export interface AttackOptions {
  baseEnv: Record<string, string | undefined>;
  /** Redis for the instances that share it; undefined runs everything on one instance without Redis. */
  redisUrl: string | undefined;
  /** Whether several processes may open the database at once (PostgreSQL: yes; the embedded one: no). */
  sharedDatabase: boolean;
  startupTimeoutMs: number;
  log: (message: string) => void;
  /** Which figures to measure (BENCH_ONLY), by group: g1 … g6. */
  wanted: (group: 'g1' | 'g2' | 'g3' | 'g4' | 'g5' | 'g6') => boolean;
}

/** A documentation-range address unique to this run, so counters left by an earlier run cannot interfere. */
function address(): string {
  const b = randomBytes(2);
  return `198.18.${b[0]}.${b[1] % 254 + 1}`;
}

function randomKey(): string {
  const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const pick = (alphabet: string, n: number) =>
    Array.from(randomBytes(n), (byte) => alphabet[byte % alphabet.length]).join('');
  return `sk_live_${pick(alnum, 8)}_${pick(`ABCDEFGHIJKLMNOPQRSTUVWXYZ${alnum}`, 32)}`;
}

function codes(responses: { status: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of responses) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

const show = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k}×${v}`).join(', ');

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

/** A failed request (socket reset, timeout) counts as status 0 rather than ending the scenario. */
function call(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<HttpResponse> {
  return httpRequest(method, url, { headers, body, timeoutMs: 120_000 }).catch((err: Error) => ({
    status: 0,
    headers: {},
    text: err.message,
    json: undefined,
    ms: 0,
  }));
}

class Org {
  private constructor(
    readonly server: ServerProcess,
    readonly email: string,
    readonly password: string,
    readonly token: string,
  ) {}

  static async register(server: ServerProcess, from: string): Promise<Org> {
    const suffix = randomBytes(4).toString('hex');
    const email = `attack-${suffix}@example.com`;
    const password = randomBytes(12).toString('base64url');
    const res = await call('POST', `${server.baseUrl}${API}/auth/register`, { 'x-forwarded-for': from }, {
      email,
      password,
      name: 'Bench Attack',
      organization_name: `Attack ${suffix}`,
    });
    const token = res.json?.access_token;
    if (res.status !== 201 || typeof token !== 'string') throw new Error(`register answered ${res.status}: ${res.text.slice(0, 200)}`);
    return new Org(server, email, password, token);
  }

  /** The same user, talking to another instance (or to a restarted one). */
  on(server: ServerProcess): Org {
    return new Org(server, this.email, this.password, this.token);
  }

  async createKey(name: string): Promise<{ id: string; key: string }> {
    const res = await call('POST', `${this.server.baseUrl}${API}/api-keys`, { authorization: `Bearer ${this.token}` }, {
      name,
      scopes: ['agents:read'],
      rate_limit: 1_000_000,
    });
    if (res.status !== 201 || typeof res.json?.key !== 'string') throw new Error(`create key answered ${res.status}: ${res.text.slice(0, 200)}`);
    return { id: res.json.id as string, key: res.json.key };
  }

  revoke(id: string): Promise<HttpResponse> {
    return call('DELETE', `${this.server.baseUrl}${API}/api-keys/${id}`, { authorization: `Bearer ${this.token}` });
  }
}

const useKey = (server: ServerProcess, key: string, from: string) =>
  call('GET', `${server.baseUrl}${API}/agents`, { 'x-api-key': key, 'x-forwarded-for': from });

const login = (server: ServerProcess, email: string, password: string, from: string) =>
  call('POST', `${server.baseUrl}${API}/auth/login`, { 'x-forwarded-for': from }, { email, password });

/** The bcrypt compares a server has run by kind, if it reports them in /health (else null). */
async function bcryptCounts(server: ServerProcess): Promise<Record<string, number> | null> {
  const res = await call('GET', `${server.baseUrl}${API}/health`, {});
  return (res.json?.details as { bcrypt?: { compares?: Record<string, number> } } | undefined)?.bcrypt?.compares ?? null;
}

/** The number of key bcrypt compares a server has run (a first use, or a secret suspected wrong), or null. */
async function bcryptCompares(server: ServerProcess): Promise<number | null> {
  const compares = await bcryptCounts(server);
  return compares ? (compares.key_first_use ?? 0) + (compares.key_suspect ?? 0) : null;
}


export async function runAttacks(opts: AttackOptions): Promise<AttackFigure[]> {
  const figures: AttackFigure[] = [];
  const { log } = opts;
  const start = (label: string, redis: boolean) =>
    ServerProcess.start({
      label,
      env: { ...opts.baseEnv, REDIS_URL: redis ? opts.redisUrl : undefined },
      startupTimeoutMs: opts.startupTimeoutMs,
    });
  const record = (figure: AttackFigure) => {
    figures.push(figure);
    const verdict = attackVerdict(figure);
    log(`  [${figure.id}] ${figure.title}: ${figure.value ?? '–'}${figure.unit} (goal <= ${figure.max}${figure.unit}) ${verdict} — ${figure.detail}`);
  };

  // Two instances sharing Redis, plus one without, need a database several processes can open.
  const redis = opts.redisUrl !== undefined && opts.sharedDatabase;
  log(`attacks: starting ${redis ? 'two instances sharing Redis and one without' : 'one instance (no Redis)'}…`);
  let a = await start('attack A', redis);
  let b = redis ? await start('attack B', true) : undefined;
  // Without Redis the solo instance is A itself, and stays A when A is restarted below.
  let solo = redis ? await start('attack solo (no Redis)', false) : a;
  try {
    let owner = await Org.register(a, address());

    // 200 concurrent guesses for one email from one address; the last is the right password.
    if (opts.wanted('g1')) {
      const victim = await Org.register(a, address());
      const from = address();
      const tries = Array.from({ length: 200 }, (_, i) => () =>
        login(i % 2 && b ? b : a, victim.email, i === 199 ? victim.password : `wrong-${i}`, from),
      );
      const answers = await Promise.all(tries.map((t) => t()));
      const c = codes(answers);
      const checked = answers.filter((r) => r.status !== 429).length;
      record({
        id: 'g1',
        title: `200 concurrent guesses for one email, one address${b ? ', two instances' : ''}: passwords checked`,
        value: checked,
        unit: '',
        max: 10,
        detail: show(c),
      });
    }

    // 300 concurrent keys with unknown prefixes from one address.
    for (const [label, servers] of opts.wanted('g2') ? ([['one instance', [a]], ...(b ? [['two instances', [a, b]]] : [])] as [string, ServerProcess[]][]) : []) {
      const from = address();
      const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => useKey(servers[i % servers.length], randomKey(), from)));
      const c = codes(answers);
      record({ id: `g2-${servers.length}`, title: `300 concurrent unknown-prefix keys, one address, ${label}: 401s`, value: c['401'] ?? 0, unit: '', max: 20, detail: show(c) });
    }

    // Restart with warm keys: 300 keys used once, every instance restarted, then 300 first requests.
    if (opts.wanted('g3')) {
      log('attacks: creating 300 keys and using each once…');
      const keys = await pool(4, Array.from({ length: 300 }, (_, i) => () => owner.createKey(`warm ${i}`)));
      const warmFrom = address();
      await pool(20, keys.map((k) => () => useKey(a, k.key, warmFrom)));
      log('attacks: restarting every instance…');
      await a.stop();
      if (b) await b.stop();
      a = await start('attack A (restarted)', redis);
      if (!redis) solo = a;
      if (b) b = await start('attack B (restarted)', true);
      owner = owner.on(a);
      const before = await bcryptCompares(a);
      const from = address();
      const answers = await pool(100, keys.map((k, i) => () => useKey(i % 2 && b ? b : a, k.key, from)));
      const after = await bcryptCompares(a);
      const c = codes(answers);
      const p = percentiles(answers.map((r) => r.ms));
      const label = redis ? 'with Redis' : 'without Redis';
      record({ id: 'g3-429', title: `after a restart, 300 warm keys at concurrency 100, one address, ${label}: 429s`, value: c['429'] ?? 0, unit: '', max: 0, detail: show(c) });
      record({ id: 'g3-503', title: `the same: 503s`, value: c['503'] ?? 0, unit: '', max: 0, detail: show(c) });
      if (redis) {
        record({
          id: 'g3-bcrypt',
          title: 'the same: bcrypt compares on instance A',
          value: before === null || after === null ? null : after - before,
          unit: '',
          max: 0,
          detail: before === null ? '/health reports no bcrypt compare count' : `${before} -> ${after}`,
          skipped: before === null || after === null,
        });
        record({ id: 'g3-p99', title: 'the same: p99', value: Math.round(p.p99 * 10) / 10, unit: 'ms', max: 50, detail: `p50 ${p.p50.toFixed(1)} ms` });
      }
      if (redis && solo !== a) {
        // Without Redis the in-process cache is all there is: one bcrypt per key, queued, never refused.
        const soloAnswers = await pool(100, keys.slice(0, 100).map((k) => () => useKey(solo, k.key, address())));
        const sc = codes(soloAnswers);
        record({ id: 'g3-solo', title: '100 warm keys at concurrency 100 on an instance without Redis: 429s and 503s', value: (sc['429'] ?? 0) + (sc['503'] ?? 0), unit: '', max: 0, detail: show(sc) });
      }
    }

    // 600 concurrent logins from one address: a new key's first use and another user's login.
    if (opts.wanted('g4')) {
      const other = await Org.register(a, address());
      const fresh = await owner.createKey('fresh during logins');
      const from = address();
      const flood = Promise.all(Array.from({ length: 600 }, (_, i) => login(a, `nobody-${i}@example.com`, 'guess-guess', from)));
      await sleep(50);
      const [keyUse, otherLogin] = await Promise.all([useKey(a, fresh.key, address()), login(a, other.email, other.password, address())]);
      const c = codes(await flood);
      record({ id: 'g4-key', title: "during 600 concurrent logins from one address: a new key's first use", value: okMs(keyUse), unit: 'ms', max: 1000, detail: `${outcome(keyUse)}; flood ${show(c)}` });
      record({ id: 'g4-login', title: "the same: another user's login", value: okMs(otherLogin), unit: 'ms', max: 2000, detail: outcome(otherLogin) });
    }

    // 1,000 wrong secrets for a known prefix from 50 addresses, against the instance without Redis
    // (with Redis a verifier would vouch for the key without bcrypt). The genuine key must be one the
    // measured process has never seen: a key is cached by the process that issues it, so it is
    // created on another instance, or (one instance only) before the measured one is restarted.
    if (opts.wanted('g5')) {
      const issuer = solo !== a ? a : solo;
      const org = await Org.register(issuer, address());
      const known = await org.createKey('attacked');
      const prefix = known.key.slice(0, 'sk_live_'.length + 8);
      const genuine = await org.createKey('never seen');
      if (solo === a) {
        log('attacks: restarting the instance so that the genuine key is one it has never seen…');
        await a.stop();
        a = await start('attack A (restarted for g5)', redis);
        solo = a;
      }
      const target = solo;
      const before = await bcryptCounts(target);
      // With a valid checksum, as a guesser computes it: a broken one is refused before the prefix is looked up.
      const wrong = () => withChecksum(`${prefix}_${randomKey().slice(-26)}`);
      const addresses = Array.from({ length: 50 }, address);
      const flood = Promise.all(Array.from({ length: 1000 }, (_, i) => useKey(target, wrong(), addresses[i % 50])));
      await sleep(100);
      const first = await useKey(target, genuine.key, address());
      const c = codes(await flood);
      const after = await bcryptCounts(target);
      // The flood's first compare for its prefix is a first-use compare too (no wrong secret preceded
      // it), so a genuine first use that really ran bcrypt makes the first-use count rise by 2.
      const firstUses = before && after ? (after.key_first_use ?? 0) - (before.key_first_use ?? 0) : null;
      const bcryptRan = firstUses !== null && firstUses >= 2;
      record({
        id: 'g5',
        title: "during 1,000 wrong secrets for a known prefix from 50 addresses: a never-seen genuine key's first use",
        value: bcryptRan ? okMs(first) : null,
        unit: 'ms',
        max: 1000,
        detail:
          `${outcome(first)}; flood ${show(c)}; first-use bcrypt compares +${firstUses ?? '?'}` +
          (bcryptRan ? '' : ' (fewer than the flood\'s first and the genuine key\'s: not a never-seen key, or no count in /health)'),
      });
    }

    // Revocation while the key's first verification runs: does any request sent more than 1 s after
    // the 204 still get a 200?
    if (opts.wanted('g6')) {
      const target = solo;
      const org = await Org.register(target, address());
      let late = 0;
      const trials = 20;
      for (let t = 0; t < trials; t++) {
        const k = await org.createKey(`revoke race ${t}`);
        const from = address();
        const firstUse = useKey(target, k.key, from);
        const revoked = await org.revoke(k.id);
        const at = Date.now();
        await firstUse;
        let served = false;
        while (Date.now() - at < 1500) {
          const sentAt = Date.now();
          const res = await useKey(target, k.key, from);
          if (res.status === 200 && sentAt - at > 1000) served = true;
          await sleep(50);
        }
        if (revoked.status !== 204) throw new Error(`revoke answered ${revoked.status}`);
        if (served) late += 1;
      }
      record({ id: 'g6', title: `revocation during first verification: trials serving the key > 1 s after the 204 (of ${trials})`, value: late, unit: '', max: 0, detail: '' });
    }
  } finally {
    await Promise.all([a.stop(), b?.stop(), solo !== a ? solo.stop() : undefined]);
  }
  return figures;
}

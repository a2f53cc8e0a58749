import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ContractChecker, exchangeOf } from './helpers/contract';
import { registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

const run = promisify(execFile);

const SEED = 20261130;
/** Requests per operation that takes input: about 2,500 in all. */
const PER_OPERATION = 70;

/**
 * The only reasons the server may refuse (400) a request the document allows: rules about other
 * data or about time, which a schema cannot state. Each part of a refusal's message must match one.
 */
const RULES_THE_DOCUMENT_CANNOT_EXPRESS: Record<string, RegExp> = {
  'a date that must be in the future (expires_at)': /^expires_at must be in the future$/,
  'a foreign id: agent_id must name an agent of the caller’s organization': /^agent_id does not name an agent of this organization$/,
  'two fields in relation: from before to, and at most so many days apart': /^from must be before to$|^from and to may be at most \d+ days apart/,
  'an opaque cursor: only a next_cursor the server gave': /^cursor is not a valid next_cursor value$/,
  // Set by PATCH /organizations/current/key-policy: a key the document allows may break the organization's policy.
  "the organization's key policy (PATCH /organizations/current/key-policy)": /^key policy .* \((require_expiry|max_lifetime_days|allowed_scopes(: [^)]+)?)\)$/,
};

interface GeneratedRequest {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: unknown;
}

/**
 * Random requests generated from the document (json-schema-faker, fixed seed): the server accepts
 * every one of them, except for the rules listed above; and every answer is one the document describes.
 */
describe('Requests generated from the OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: Record<string, unknown>;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.api().get('/api/docs-json').expect(200)).body;
    dir = await mkdtemp(join(tmpdir(), 'kaizen-generated-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  // About 2,500 requests take ~15 s on an idle machine; the margin is for a busy one.
  it('are refused only for rules the document cannot express, and answered as documented', async () => {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const generator = join(__dirname, 'helpers', 'generate-requests.mjs');
    const { stdout } = await run(process.execPath, [generator, file, String(SEED), String(PER_OPERATION)], {
      maxBuffer: 256 * 1024 * 1024,
    });
    const requests = JSON.parse(stdout) as GeneratedRequest[];
    expect(requests.length).toBeGreaterThan(2_000);

    const owner = await registerOrg(t);
    const checker = new ContractChecker(doc);
    const refusedFor = new Map<string, number>(Object.keys(RULES_THE_DOCUMENT_CANNOT_EXPRESS).map((rule) => [rule, 0]));
    const unexpected: string[] = [];
    for (const request of requests) {
      const path = request.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(request.pathParams[name])));
      const query = new URLSearchParams(Object.entries(request.query).map(([name, value]): [string, string] => [name, String(value)])).toString();
      const url = query ? `${path}?${query}` : path;
      const operation = (doc.paths as Record<string, Record<string, { security?: unknown[] }>>)[request.path][request.method];
      let req = t.api()[request.method](url);
      if (operation.security?.length !== 0) req = req.set('Authorization', `Bearer ${owner.token}`);
      if (request.body !== undefined) req = req.send(request.body as object);
      const res = await req;
      checker.check(exchangeOf(request.method, url, res));
      if (res.status >= 500) unexpected.push(`${request.method.toUpperCase()} ${url} -> ${res.status}`);
      if (res.status !== 400) continue;
      // A refusal lists every failed check ("a; b"): each must be one of the rules.
      const rules = String(res.body.message)
        .split('; ')
        .map((part) => Object.entries(RULES_THE_DOCUMENT_CANNOT_EXPRESS).find(([, pattern]) => pattern.test(part))?.[0]);
      if (rules.every(Boolean)) {
        for (const rule of new Set(rules as string[])) refusedFor.set(rule, (refusedFor.get(rule) ?? 0) + 1);
      } else {
        unexpected.push(`${request.method.toUpperCase()} ${url} ${JSON.stringify(request.body)} -> 400 ${res.body.message}`);
      }
    }
    console.info(
      `${requests.length} generated requests; refused for rules the document cannot express: ` +
        `(${[...refusedFor].map(([rule, count]) => `${count} ${rule}`).join('; ')}); refused otherwise: ${unexpected.length}`,
    );
    expect(unexpected).toEqual([]);
    expect(checker.violations).toEqual([]);
  }, 240_000);
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, TestApp } from './helpers/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** A CLI's entry point inside its installed package, run with this Node (no npx, no network). */
function cli(pkg: string, bin: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), bin);
}

/** Runs a linter CLI; a non-zero exit with JSON on stdout is a report, not a crash. */
async function lint(args: string[]): Promise<string> {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  try {
    const { stdout } = await run(process.execPath, args, { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const stdout = (err as { stdout?: string }).stdout;
    if (stdout?.trim()) return stdout;
    throw err;
  }
}

/**
 * The document the app serves, as a third party would check it: Redocly's recommended ruleset and
 * Spectral's spectral:oas, each with the committed configuration (redocly.yaml, .spectral.yaml; any
 * rule switched off there says why). Both must find nothing: no error, no warning.
 */
describe('OpenAPI document under Redocly and Spectral (e2e)', () => {
  let t: TestApp;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.api().get('/api/docs-json').expect(200);
    dir = await mkdtemp(join(tmpdir(), 'kaizen-openapi-'));
    file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(res.body, null, 2));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('Redocly (recommended, redocly.yaml) reports 0 errors and 0 warnings', async () => {
    const out = await lint([cli('@redocly/cli', 'bin/cli.js'), 'lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json']);
    const report = JSON.parse(out) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    const problems = report.problems.map((p) => `${p.ruleId}: ${p.message}`);
    expect({ totals: report.totals, problems }).toEqual({ totals: expect.objectContaining({ errors: 0, warnings: 0 }), problems: [] });
  });

  it('Spectral (spectral:oas, .spectral.yaml) reports 0 errors and 0 warnings', async () => {
    const out = await lint([
      cli('@stoplight/spectral-cli', 'dist/index.js'),
      'lint',
      file,
      '--ruleset',
      join(ROOT, '.spectral.yaml'),
      '--format',
      'json',
      '--quiet',
    ]);
    const results = JSON.parse(out) as { code: string; message: string; path: string[]; severity: number }[];
    // Severity 0 is an error, 1 a warning; the ruleset used has no info or hint rules.
    expect(results.map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`)).toEqual([]);
  });
});

import type { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApp } from '../src/app.factory';
import { KaizenClient } from './src';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** The README's `// example.mjs` code block, exactly as written there. */
async function exampleOf(readme: string): Promise<string> {
  const text = await readFile(join(ROOT, readme), 'utf8');
  const block = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).find((code) => code.startsWith('// example.mjs'));
  if (!block) throw new Error(`${readme} has no \`\`\`js block starting with "// example.mjs"`);
  return block;
}

// The READMEs' example, run as a user would: an ES module in a project that installed the built package.
describe('the SDK example in the READMEs', () => {
  let app: INestApplication;
  let baseUrl: string;
  let project: string;
  let apiKey: string;

  beforeAll(async () => {
    app = await createApp();
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    const session = await new KaizenClient({ baseUrl }).auth.register({
      email: `readme-${randomUUID()}@example.com`,
      password: 'correct-horse-9',
      name: 'Owner',
      organization_name: 'Readme',
    });
    const owner = new KaizenClient({ baseUrl, accessToken: session.access_token });
    await owner.agents.create({ name: 'Support triage' });
    apiKey = (await owner.apiKeys.create({ name: 'readme', scopes: ['agents:read'] })).key;

    // What `npm install <the packed tarball>` lays out: the package's files, its dependency beside it.
    project = await mkdtemp(join(tmpdir(), 'kaizen-sdk-readme-'));
    const pkg = join(project, 'node_modules', '@kaizen-studio', 'sdk');
    await mkdir(pkg, { recursive: true });
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'sdk', 'tsconfig.json'), '--outDir', join(pkg, 'dist')]);
    await cp(join(ROOT, 'sdk', 'package.json'), join(pkg, 'package.json'));
    await cp(join(ROOT, 'sdk', 'generated'), join(pkg, 'generated'), { recursive: true });
    await symlink(join(ROOT, 'node_modules', 'openapi-fetch'), join(project, 'node_modules', 'openapi-fetch'), 'dir');
  });

  afterAll(async () => {
    await app?.close();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it.each(['README.md', 'sdk/README.md'])('%s: example.mjs runs as written and lists the agents', async (readme) => {
    const file = join(project, 'example.mjs');
    await writeFile(file, await exampleOf(readme));
    const { stdout } = await run(process.execPath, [file], {
      cwd: project,
      env: { ...process.env, KAIZEN_API_KEY: apiKey, KAIZEN_BASE_URL: baseUrl },
    });
    expect(stdout).toContain('Support triage');
  });
});

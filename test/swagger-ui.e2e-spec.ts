import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, describeInBrowser } from './helpers/browser';
import { bearer, createKey, registerOrg } from './helpers/fixtures';
import {
  authorizeScheme,
  closeAuthorizeDialog,
  execute,
  json,
  logoutScheme,
  openAuthorizeDialog,
  operation,
  setRequestBody,
  tryItOut,
} from './helpers/swagger-ui';
import { startTestApp, TestApp } from './helpers/test-app';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const WAIT = { timeout: 20_000 };

/** A person's way through Swagger UI, in a real (headless) browser against the real app. */
describeInBrowser('Swagger UI in a browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let baseUrl: string;

  /** A fresh browser context (no stored authorization) and a page in it with generous waits. */
  async function newPage(): Promise<Page> {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT.timeout);
    return page;
  }

  /** Messages the browser logs when the page's Content-Security-Policy blocks something. */
  function cspViolations(page: Page): string[] {
    const seen: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
    });
    return seen;
  }

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await t?.close();
  });

  it('authorizes with an API key and runs GET /api/v1/agents through "Try it out"', async () => {
    const owner = await registerOrg(t, 'Browser Org');
    const agentName = `Support triage ${randomUUID().slice(0, 8)}`;
    await t.api().post('/api/v1/agents').set(bearer(owner.token)).send({ name: agentName }).expect(201);
    const { key } = await createKey(t, owner, { name: 'Swagger UI test', scopes: ['agents:read'] });

    const page = await newPage();
    const elsewhere: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(baseUrl) && !req.url().startsWith('data:')) elsewhere.push(req.url());
    });
    const blocked = cspViolations(page);
    const docs = await page.goto(`${baseUrl}/api/docs`, { waitUntil: 'domcontentloaded' });
    // The page works under its Content-Security-Policy (asserted at the end: nothing was blocked).
    expect(docs?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

    // Authorize: the X-API-Key scheme, in the dialog Swagger UI opens.
    await page.locator('.scheme-container button.authorize').click();
    const apiKeyForm = page.locator('.modal-ux .auth-container').filter({ hasText: 'X-API-Key' });
    await apiKeyForm.locator('input').fill(key);
    await apiKeyForm.locator('button.authorize', { hasText: 'Authorize' }).click();
    await apiKeyForm.locator('button', { hasText: 'Logout' }).waitFor(WAIT);
    await apiKeyForm.locator('button.btn-done', { hasText: 'Close' }).click();
    await page.locator('.modal-ux').waitFor({ state: 'detached', ...WAIT });

    // GET /api/v1/agents -> Try it out -> Execute.
    const operation = page.locator('#operations-agents-AgentsController_list');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn', { hasText: 'Try it out' }).click();
    await operation.locator('button.execute', { hasText: 'Execute' }).click();

    const live = operation.locator('.live-responses-table .response');
    await live.locator('.response-col_status').filter({ hasText: '200' }).waitFor(WAIT);
    await live.locator('.response-col_description').filter({ hasText: agentName }).waitFor(WAIT);
    expect(await operation.locator('.curl-command').innerText()).toContain('X-API-Key: sk_live_');

    mkdirSync(ARTIFACTS, { recursive: true });
    await operation.scrollIntoViewIfNeeded();
    await operation.screenshot({ path: join(ARTIFACTS, 'swagger-ui.png') });

    // Credentials are not kept in the browser: nothing in storage, and a reload forgets the key.
    // (Expressions, not functions: the tests compile without the DOM's types.)
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })');
    expect(stored).not.toContain(key);
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator('.scheme-container button.authorize').waitFor(WAIT);
    expect(await page.locator('.scheme-container button.authorize.locked').count()).toBe(0);
    expect(await page.evaluate<string>('JSON.stringify({ ...localStorage })')).not.toContain(key);
    // The page and its assets are served by the app itself; nothing is fetched from other hosts.
    expect(elsewhere).toEqual([]);
    expect(blocked).toEqual([]);
  }, 60_000);

  it('logs in, creates a key and calls GET /api/v1/agents with it, all from the page', async () => {
    // Not a page step: an organization with a known email/password, and one agent to find.
    const owner = await registerOrg(t, 'Browser Login Org');
    const agentName = `Swagger login agent ${randomUUID().slice(0, 8)}`;
    await t.api().post('/api/v1/agents').set(bearer(owner.token)).send({ name: agentName }).expect(201);

    const page = await newPage();
    const elsewhere: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(baseUrl) && !req.url().startsWith('data:')) elsewhere.push(req.url());
    });
    await page.goto(`${baseUrl}/api/docs`, { waitUntil: 'domcontentloaded' });

    // 1. POST /api/v1/auth/login -> Try it out -> the email and password -> Execute.
    const login = operation(page, 'auth', 'AuthController_login');
    await tryItOut(login);
    await setRequestBody(login, { email: owner.email, password: owner.password });
    const loggedIn = await execute(login);
    expect(loggedIn.curl).toContain(owner.email);
    expect(loggedIn.status).toBe('200');
    const accessToken = json<{ access_token?: string }>(loggedIn).access_token;
    expect(accessToken).toEqual(expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/));

    // 2. Authorize with the access token as the HTTP bearer token.
    let dialog = await openAuthorizeDialog(page);
    await authorizeScheme(dialog, 'bearer', accessToken!);
    await closeAuthorizeDialog(dialog);
    await page.locator('.scheme-container button.authorize.locked').waitFor(WAIT);

    // 3. POST /api/v1/api-keys -> Try it out -> name and scopes -> Execute: 201 and the plain key.
    const create = operation(page, 'api-keys', 'ApiKeysController_create');
    await tryItOut(create);
    await setRequestBody(create, { name: 'from swagger', scopes: ['agents:read'] });
    const created = await execute(create);
    expect(created.curl).toContain(`Authorization: Bearer ${accessToken}`);
    expect(created.status).toBe('201');
    const createdKey = json<{ key?: string; name?: string; scopes?: string[] }>(created);
    expect(createdKey).toMatchObject({ name: 'from swagger', scopes: ['agents:read'] });
    const key = createdKey.key;
    expect(key).toEqual(expect.stringMatching(/^sk_live_\S+$/));

    // 4. Authorize again: log out of bearer (a token and a different key together are refused with
    //    400), then put the key in the X-API-Key field.
    dialog = await openAuthorizeDialog(page);
    await logoutScheme(dialog, 'bearer');
    await authorizeScheme(dialog, 'api-key', key!);
    await closeAuthorizeDialog(dialog);

    // 5. GET /api/v1/agents -> Try it out -> Execute: 200 with the agent, sent with the key only.
    const agents = operation(page, 'agents', 'AgentsController_list');
    await tryItOut(agents);
    const listed = await execute(agents);
    expect(listed.curl).toContain('X-API-Key: sk_live_');
    expect(listed.curl).toContain(`X-API-Key: ${key}`);
    expect(listed.curl).not.toContain('Authorization');
    expect(listed.status).toBe('200');
    expect(listed.body).toContain(agentName);
    // What the person sees in the table, not only in the parsed text.
    await agents.locator('.live-responses-table .response-col_description').filter({ hasText: agentName }).waitFor(WAIT);

    mkdirSync(ARTIFACTS, { recursive: true });
    await agents.scrollIntoViewIfNeeded();
    await agents.screenshot({ path: join(ARTIFACTS, 'swagger-ui-login-flow.png') });
    expect(elsewhere).toEqual([]);
  }, 60_000);
});

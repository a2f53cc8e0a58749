import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser';
import { bearer, createKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const WAIT = { timeout: 20_000 };

/** A person's way through Swagger UI, in a real (headless) browser against the real app. */
describe('Swagger UI in a browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await t?.close();
  });

  it('authorizes with an API key and runs GET /api/v1/agents through "Try it out"', async () => {
    const owner = await registerOrg(t, 'Browser Org');
    const agentName = `Support triage ${randomUUID().slice(0, 8)}`;
    await t.api().post('/api/v1/agents').set(bearer(owner.token)).send({ name: agentName }).expect(201);
    const { key } = await createKey(t, owner, { name: 'Swagger UI test', scopes: ['agents:read'] });

    context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
    const page: Page = await context.newPage();
    page.setDefaultTimeout(WAIT.timeout);
    const elsewhere: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(baseUrl) && !req.url().startsWith('data:')) elsewhere.push(req.url());
    });
    await page.goto(`${baseUrl}/api/docs`, { waitUntil: 'domcontentloaded' });

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

    // persistAuthorization: the key survives a reload.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator('.scheme-container button.authorize.locked').waitFor(WAIT);
    // The page and its assets are served by the app itself; nothing is fetched from other hosts.
    expect(elsewhere).toEqual([]);
  }, 60_000);
});

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { describeInBrowser, launchChromium } from './helpers/browser';
import { captureAndCheck, everywhereOnPage, openConsolePage, PageWatch } from './helpers/console';
import { eventually, withEnv } from './helpers/env';
import { Account, addMember, bearer, createKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

/**
 * The console's pages for issue 13 in a real (headless) Chromium against the real app: editing a key,
 * disabling and enabling it, its allow-list and metadata, webhook endpoints with their delivery log, and
 * the organization's key policy. Same helpers and checks (axe, CSP, nothing fetched elsewhere) as
 * console.e2e-spec.ts.
 */
describeInBrowser('Web console: key settings, webhooks and key policy (e2e)', () => {
  let t: TestApp;
  let browser: Browser | undefined;
  let baseUrl: string;
  const contexts: BrowserContext[] = [];
  const violations: string[] = [];

  // A webhook receiver on 127.0.0.1 (allowed by WEBHOOK_ALLOW_PRIVATE_URLS) recording each delivery.
  let receiver: Server;
  let receiverUrl: string;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];

  /** A page signed in as `account` (its token in sessionStorage before the first load, as a returning tab). */
  async function openAs(account: Account, path: string): Promise<{ page: Page; watch: PageWatch }> {
    const opened = await openConsolePage(browser!, baseUrl);
    contexts.push(opened.context);
    await opened.page.addInitScript(
      `sessionStorage.setItem('kaizen.session', JSON.stringify({ accessToken: ${JSON.stringify(account.token)}, expiresAt: Date.now() + 3600000 }))`,
    );
    await opened.page.goto(`${baseUrl}${path}`);
    return opened;
  }

  async function capture(page: Page, name: string): Promise<void> {
    violations.push(...(await captureAndCheck(page, name)));
  }

  const callAgents = (key: string) => fetch(`${baseUrl}/api/v1/agents`, { headers: { 'X-API-Key': key } });
  const readKey = async (owner: Account, id: string) => (await t.api().get(`/api/v1/api-keys/${id}`).set(bearer(owner.token)).expect(200)).body;

  beforeAll(async () => {
    t = await withEnv({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }, () => startTestApp());
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kaizen-hooks`;
    browser = await launchChromium();
  });

  beforeEach(() => {
    violations.length = 0;
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await new Promise((resolve) => receiver?.close(resolve));
    await t?.close();
  });

  it("edits a key and sees it saved; disables then enables it; shows the API's allow-list error by the field; checks metadata before sending", async () => {
    const owner = await registerOrg(t, 'Edit Org');
    const key = await createKey(t, owner, { name: 'Editable key', scopes: ['agents:read'], rate_limit: 100 });
    const { page, watch } = await openAs(owner, `/keys/${key.id}`);
    await page.getByRole('heading', { name: 'Editable key' }).waitFor();
    // PATCH requests the page sends (their bodies are streamed, so what changed is read from the audit log).
    const patches: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patches.push(request.url());
    });

    // Edit: name, scopes, rate limit; only what changed is sent, and the page shows the saved key.
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit “Editable key”' });
    await edit.getByLabel('Name').fill('Edited key');
    await edit.getByRole('checkbox', { name: /^deployments:read/ }).check();
    await edit.getByLabel('Rate limit (requests per minute)').fill('250');
    await capture(page, 'key-edit');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Edited key' }).waitFor();
    await page.getByText('250 requests per minute').waitFor();
    expect(patches).toHaveLength(1);
    expect(await readKey(owner, key.id)).toMatchObject({ name: 'Edited key', rate_limit: 250, scopes: ['agents:read', 'deployments:read'] });
    // Only what changed was sent: the audit entry's before/after names those three fields and no others.
    const audit = await t
      .api()
      .get('/api/v1/audit-logs')
      .query({ action: 'api_key.updated', target_id: key.id })
      .set(bearer(owner.token))
      .expect(200);
    expect(audit.body.data).toHaveLength(1);
    expect(Object.keys(audit.body.data[0].metadata.changes).sort()).toEqual(['name', 'rate_limit', 'scopes']);

    // Disable (confirmed): the badge says so, the key gets 401, the keys table marks the row.
    expect((await callAgents(key.key)).status).toBe(200);
    await page.getByRole('button', { name: 'Disable' }).click();
    const disable = page.getByRole('dialog', { name: 'Disable “Edited key”?' });
    await disable.getByText('can be undone').waitFor();
    await capture(page, 'key-disable-confirm');
    await disable.getByRole('button', { name: 'Disable key' }).click();
    await disable.waitFor({ state: 'detached' });
    await page.locator('.lede .badge-disabled').filter({ hasText: 'disabled' }).waitFor();
    await page.getByText('This key is disabled').waitFor();
    await capture(page, 'key-disabled');
    const refused = await callAgents(key.key);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toBe('API key is disabled');

    await page.getByRole('link', { name: '← API keys' }).click();
    const row = page.getByRole('row', { name: /Edited key/ });
    await row.locator('.badge-disabled').waitFor();
    expect(await row.getAttribute('class')).toContain('row-disabled');
    await capture(page, 'keys-with-disabled');

    // Enable again: active, and the key works.
    await row.getByRole('link', { name: 'Edited key' }).click();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.locator('.lede .badge-active').waitFor();
    expect(await page.getByText('This key is disabled').count()).toBe(0);
    expect((await callAgents(key.key)).status).toBe(200);

    // Allow-list: the API's 400 appears right under the field, which is marked invalid.
    const allowlist = page.getByLabel('IP allow-list');
    await allowlist.fill('127.0.0.1\nnot-an-address');
    await page.getByRole('button', { name: 'Save allow-list' }).click();
    const apiRefusal = await t
      .api()
      .patch(`/api/v1/api-keys/${key.id}`)
      .set(bearer(owner.token))
      .send({ ip_allowlist: ['127.0.0.1', 'not-an-address'] })
      .expect(400);
    const fieldError = page.locator('#key-allowlist-error');
    await fieldError.filter({ hasText: apiRefusal.body.message }).waitFor();
    expect(await allowlist.getAttribute('aria-invalid')).toBe('true');
    expect(await allowlist.getAttribute('aria-describedby')).toContain('key-allowlist-error');
    await capture(page, 'key-allowlist-error');
    await allowlist.fill('127.0.0.1\n10.0.0.0/8\n');
    await page.getByRole('button', { name: 'Save allow-list' }).click();
    await page.getByText('Allow-list saved.').waitFor();
    expect((await readKey(owner, key.id)).ip_allowlist).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect((await callAgents(key.key)).status).toBe(200);

    // Metadata: not a JSON object → said in the page, nothing sent; a valid object is saved.
    const sentBefore = patches.length;
    const metadata = page.getByLabel('Metadata (JSON object)');
    await metadata.fill('["not", "an", "object"]');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.locator('#key-metadata-error').filter({ hasText: 'must be a JSON object' }).waitFor();
    await metadata.fill('{"team": "billing"');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.locator('#key-metadata-error').filter({ hasText: 'not valid JSON' }).waitFor();
    expect(patches.length).toBe(sentBefore);
    await metadata.fill('{"team": "billing", "tier": 2}');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.getByText('Metadata saved.').waitFor();
    expect((await readKey(owner, key.id)).metadata).toEqual({ team: 'billing', tier: 2 });
    await capture(page, 'key-settings');

    // The audit log shows the edits with their before/after.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: 'Audit log' }).getByText('api_key.updated', { exact: true }).first().waitFor();

    expect(violations).toEqual([]);
    expect(watch.cspViolations).toEqual([]);
    expect(watch.elsewhere).toEqual([]);
  }, 180_000);

  it('the create dialog takes an allow-list and metadata, and refuses metadata that is not an object', async () => {
    const owner = await registerOrg(t, 'Create Org');
    const { page } = await openAs(owner, '/keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByLabel('Name').fill('Fenced key');
    await dialog.getByRole('checkbox', { name: /^agents:read/ }).check();
    await dialog.getByLabel('IP allow-list').fill('127.0.0.1\n2001:db8::/32');
    await dialog.getByLabel('Metadata (JSON object)').fill('42');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.locator('#new-key-metadata-error').filter({ hasText: 'must be a JSON object' }).waitFor();
    await dialog.getByLabel('Metadata (JSON object)').fill('{"env": "ci"}');
    await capture(page, 'create-key-restricted');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: /Key “Fenced key” created/ });
    const plain = await shown.getByLabel('Your new API key').inputValue();
    await shown.getByRole('button', { name: 'I have copied the key' }).click();
    const listed = (await t.api().get('/api/v1/api-keys').set(bearer(owner.token)).expect(200)).body.data[0];
    expect(listed).toMatchObject({ name: 'Fenced key', ip_allowlist: ['127.0.0.1', '2001:db8::/32'], metadata: { env: 'ci' } });
    expect((await callAgents(plain)).status).toBe(200);
    expect(violations).toEqual([]);
  }, 90_000);

  it('webhooks: add an endpoint and see its secret once, send a test and see it in the log, redeliver, edit, delete', async () => {
    received.length = 0;
    const owner = await registerOrg(t, 'Hooks Org');
    const { page, watch } = await openAs(owner, '/keys');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No webhook endpoints yet.').waitFor();
    await capture(page, 'webhooks-empty');

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    await dialog.getByLabel('Endpoint URL').fill(receiverUrl);
    await dialog.getByLabel('Description (optional)').fill('Security alerts');
    await dialog.getByRole('checkbox', { name: /^api_key\.revoked/ }).check();
    await dialog.getByRole('checkbox', { name: /^api_key\.expiring/ }).check();
    await capture(page, 'webhook-create');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();

    // The secret, once, with a copy button; closing the dialog forgets it.
    const shown = page.getByRole('dialog', { name: 'Webhook endpoint added' });
    await shown.getByText('It is shown only once').waitFor();
    const secret = await shown.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await shown.getByRole('button', { name: 'Copy secret' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await capture(page, 'webhook-created');
    await shown.getByRole('button', { name: 'I have copied the secret' }).click();
    await shown.waitFor({ state: 'detached' });
    const link = page.getByRole('link', { name: receiverUrl });
    await link.waitFor();
    expect(await everywhereOnPage(page)).not.toContain(secret);
    await capture(page, 'webhooks');

    // Send a test: it reaches the receiver, signed with that secret, and shows in the delivery log.
    await link.click();
    await page.getByRole('heading', { name: 'Security alerts' }).waitFor();
    await page.getByText('Nothing delivered yet.').waitFor();
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText('is on its way').waitFor();
    const log = page.getByRole('table', { name: 'Deliveries' });
    const row = log.getByRole('row', { name: /webhook\.test/ });
    await row.filter({ hasText: 'succeeded' }).waitFor();
    expect(await row.innerText()).toMatch(/\b200\b/);
    expect(received).toHaveLength(1);
    expect(new Webhook(secret).verify(received[0].body, received[0].headers as Record<string, string>)).toMatchObject({ type: 'webhook.test' });
    expect(await everywhereOnPage(page)).not.toContain(secret);
    await capture(page, 'webhook-detail');

    // Redeliver: the receiver gets the same event (same webhook-id) again.
    await row.getByRole('button', { name: /^Redeliver/ }).click();
    await row.getByText('Queued again.').waitFor();
    expect(await eventually(async () => received.length === 2, 20_000, 50)).toBe(true);
    expect(received[1].headers['webhook-id']).toBe(received[0].headers['webhook-id']);

    // Replace the signing secret: confirmed, shown once, and the next delivery is signed with it.
    await page.getByRole('button', { name: 'Replace signing secret' }).click();
    await page.getByRole('dialog', { name: 'Replace the signing secret?' }).getByRole('button', { name: 'Replace secret' }).click();
    const renewed = page.getByRole('dialog', { name: 'New signing secret' });
    const newSecret = await renewed.getByLabel('Signing secret').inputValue();
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);
    await capture(page, 'webhook-secret-replaced');
    await renewed.getByRole('button', { name: 'I have copied the secret' }).click();
    await renewed.waitFor({ state: 'detached' });
    expect(await everywhereOnPage(page)).not.toContain(newSecret);
    await page.getByRole('button', { name: 'Send test' }).click();
    expect(await eventually(async () => received.length === 3, 20_000, 50)).toBe(true);
    expect(new Webhook(newSecret).verify(received[2].body, received[2].headers as Record<string, string>)).toMatchObject({ type: 'webhook.test' });

    // Edit: events, description and the switch; saved as the API answers.
    await page.getByRole('checkbox', { name: /^api_key\.expiring/ }).uncheck();
    await page.getByRole('checkbox', { name: /^api_key\.created/ }).check();
    await page.getByLabel('Description', { exact: true }).fill('Key alerts');
    await page.getByRole('checkbox', { name: /^Enabled/ }).uncheck();
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByRole('heading', { name: 'Key alerts' }).waitFor();
    await page.locator('.lede .badge-disabled').waitFor();
    const endpoints = (await t.api().get('/api/v1/webhooks').set(bearer(owner.token)).expect(200)).body.data;
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({ description: 'Key alerts', enabled: false });
    expect([...endpoints[0].events].sort()).toEqual(['api_key.created', 'api_key.revoked']);

    // Delete (confirmed): back to the empty list.
    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this webhook endpoint?' });
    await capture(page, 'webhook-delete-confirm');
    await confirm.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByText('No webhook endpoints yet.').waitFor();
    expect((await t.api().get('/api/v1/webhooks').set(bearer(owner.token)).expect(200)).body.data).toEqual([]);

    expect(violations).toEqual([]);
    expect(watch.cspViolations).toEqual([]);
    expect(watch.elsewhere).toEqual([]);
  }, 180_000);

  it('edits the key policy, and key creation then shows the rule it breaks', async () => {
    const owner = await registerOrg(t, 'Policy Org');
    const { page, watch } = await openAs(owner, '/organization');
    const section = page.getByRole('region', { name: 'Key policy' });
    await section.getByRole('button', { name: 'Save key policy' }).waitFor();
    await section.getByLabel('Require an expiry date on every new or changed key').check();
    await section.getByLabel('Longest key lifetime (days)').fill('30');
    await section.getByLabel('Revoke keys unused for (days)').fill('90');
    await section.getByLabel('Allow only some scopes on keys').check();
    await section.getByRole('checkbox', { name: /^agents:read/ }).check();
    await section.getByRole('checkbox', { name: /^deployments:read/ }).check();
    await capture(page, 'key-policy');
    await section.getByRole('button', { name: 'Save key policy' }).click();
    await section.getByText('Key policy saved.').waitFor();
    const saved = (await t.api().get('/api/v1/organizations/current/key-policy').set(bearer(owner.token)).expect(200)).body;
    expect(saved).toMatchObject({ require_expiry: true, max_lifetime_days: 30, auto_revoke_unused_days: 90 });
    expect([...saved.allowed_scopes].sort()).toEqual(['agents:read', 'deployments:read']);

    // The form shows what was saved after a reload.
    await page.reload();
    await page.getByRole('region', { name: 'Key policy' }).getByLabel('Longest key lifetime (days)').waitFor();
    expect(await page.getByLabel('Longest key lifetime (days)').inputValue()).toBe('30');
    expect(await page.getByLabel('Require an expiry date on every new or changed key').isChecked()).toBe(true);

    // A key without an expiry is refused with the API's message naming the rule.
    await page.getByRole('link', { name: 'Keys', exact: true }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByLabel('Name').fill('No expiry');
    await dialog.getByRole('checkbox', { name: /^agents:read/ }).check();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'require_expiry' }).waitFor();

    // Lift the rules again: empty fields and unchecked boxes are null.
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'Organization' }).click();
    const again = page.getByRole('region', { name: 'Key policy' });
    await again.getByLabel('Require an expiry date on every new or changed key').uncheck();
    await again.getByLabel('Longest key lifetime (days)').fill('');
    await again.getByLabel('Allow only some scopes on keys').uncheck();
    await again.getByRole('button', { name: 'Save key policy' }).click();
    await again.getByText('Key policy saved.').waitFor();
    expect((await t.api().get('/api/v1/organizations/current/key-policy').set(bearer(owner.token)).expect(200)).body).toMatchObject({
      require_expiry: false,
      max_lifetime_days: null,
      allowed_scopes: null,
      auto_revoke_unused_days: 90,
    });

    expect(violations).toEqual([]);
    expect(watch.cspViolations).toEqual([]);
  }, 120_000);

  it('a developer sees no Webhooks page and no key policy; a viewer cannot edit or disable a key', async () => {
    const owner = await registerOrg(t, 'Roles Org');
    const key = await createKey(t, owner, { name: 'Owner key', scopes: ['agents:read'], metadata: { team: 'ops' }, ip_allowlist: ['127.0.0.1'] });
    const developer = await addMember(t, owner, 'developer');
    const viewer = await addMember(t, owner, 'viewer');

    const dev = await openAs(developer, '/organization');
    await dev.page.getByRole('heading', { name: 'Roles Org' }).waitFor();
    expect(await dev.page.getByRole('link', { name: 'Webhooks' }).count()).toBe(0);
    expect(await dev.page.getByRole('region', { name: 'Key policy' }).count()).toBe(0);
    await dev.page.goto(`${baseUrl}/webhooks`);
    await dev.page.getByRole('heading', { name: 'Page not found' }).waitFor();

    const view = await openAs(viewer, `/keys/${key.id}`);
    await view.page.getByRole('heading', { name: 'Owner key' }).waitFor();
    await view.page.getByRole('region', { name: 'Allowed addresses' }).getByText('127.0.0.1').waitFor();
    await view.page.getByRole('region', { name: 'Metadata' }).getByText('"team": "ops"').waitFor();
    expect(await view.page.getByRole('button', { name: /Edit|Disable|Enable|Save/ }).count()).toBe(0);
    expect(await view.page.getByRole('textbox').count()).toBe(0);
    await capture(view.page, 'viewer-key-settings');
    expect(violations).toEqual([]);
  }, 90_000);
});

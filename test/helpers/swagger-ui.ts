import type { Locator, Page } from 'playwright-core';

/**
 * What a person does in Swagger UI (swagger-ui-dist 5, as served by @nestjs/swagger at /api/docs),
 * as Playwright steps. Every locator is scoped to one operation block or one authorization form, and
 * every wait is on something the page shows (no fixed sleeps); timeouts come from the page's default.
 */

/** What the page shows after "Execute": the live response and the curl line. */
export interface LiveResponse {
  status: string;
  body: string;
  curl: string;
}

/**
 * The block of one operation, by the id Swagger UI gives it: `operations-<tag>-<operationId>`,
 * e.g. `operation(page, 'auth', 'AuthController_login')`.
 */
export function operation(page: Page, tag: string, operationId: string): Locator {
  return page.locator(`#operations-${tag}-${operationId}`);
}

/** Expands the operation (if it is collapsed) and presses "Try it out". */
export async function tryItOut(op: Locator): Promise<void> {
  const summary = op.locator('.opblock-summary-control');
  if ((await summary.getAttribute('aria-expanded')) !== 'true') await summary.click();
  await op.locator('button.try-out__btn', { hasText: 'Try it out' }).click();
  // In try-it-out mode the button turns into "Cancel".
  await op.locator('button.try-out__btn.cancel').waitFor();
}

/**
 * Replaces the JSON in the request-body editor (a plain, React-controlled textarea) with `body`.
 * `fill` clears the field and fires the input event React listens to; the value is read back.
 */
export async function setRequestBody(op: Locator, body: unknown): Promise<void> {
  const editor = op.locator('.opblock-section-request-body textarea.body-param__text');
  const text = JSON.stringify(body, null, 2);
  await editor.fill(text);
  const value = await editor.inputValue();
  if (value !== text) throw new Error(`Request body editor holds ${JSON.stringify(value)}, not ${JSON.stringify(text)}`);
}

/** Presses "Execute" and waits for the live response; returns what the page shows. */
export async function execute(op: Locator): Promise<LiveResponse> {
  await op.locator('button.execute', { hasText: 'Execute' }).click();
  const row = op.locator('.live-responses-table tbody tr.response').first();
  await row.waitFor();
  const status = ((await row.locator('.response-col_status').textContent()) ?? '').trim();
  const bodyBlock = row.locator('.highlight-code pre');
  const body = (await bodyBlock.count()) ? ((await bodyBlock.first().textContent()) ?? '') : '';
  const curl = (await op.locator('.curl-command pre').first().textContent()) ?? '';
  return { status, body, curl };
}

/** Parses the live response body as JSON, saying what the page showed when it is not. */
export function json<T = Record<string, unknown>>(response: LiveResponse): T {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new Error(`Response body shown is not JSON (status ${response.status}): ${response.body}`);
  }
}

/** Opens the "Available authorizations" dialog. */
export async function openAuthorizeDialog(page: Page): Promise<Locator> {
  await page.locator('.scheme-container button.authorize').click();
  const modal = page.locator('.modal-ux');
  await modal.waitFor();
  return modal;
}

/** The form of one security scheme in the dialog, by its name in the document (`bearer`, `api-key`). */
export function schemeForm(modal: Locator, scheme: string): Locator {
  return modal
    .locator('.auth-container')
    .filter({ has: modal.page().locator('h4 > code', { hasText: new RegExp(`^${scheme}$`) }) });
}

/** Enters `value` in the scheme's field and presses its "Authorize"; waits until it shows "Logout". */
export async function authorizeScheme(modal: Locator, scheme: string, value: string): Promise<void> {
  const form = schemeForm(modal, scheme);
  await form.locator('input').fill(value);
  await form.locator('button.authorize', { hasText: 'Authorize' }).click();
  await form.locator('button', { hasText: 'Logout' }).waitFor();
}

/** Presses the scheme's "Logout"; waits until its field is back. */
export async function logoutScheme(modal: Locator, scheme: string): Promise<void> {
  const form = schemeForm(modal, scheme);
  await form.locator('button', { hasText: 'Logout' }).click();
  await form.locator('input').waitFor();
}

/** Presses "Close" and waits for the dialog to go away. */
export async function closeAuthorizeDialog(modal: Locator): Promise<void> {
  await modal.locator('button.btn-done', { hasText: 'Close' }).first().click();
  await modal.waitFor({ state: 'detached' });
}

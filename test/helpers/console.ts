import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'console');
export const WIDE = { width: 1440, height: 1000 };
export const NARROW = { width: 375, height: 812 };

/** What a page did that the console must never do: break its CSP, fetch from elsewhere, log errors. */
export interface PageWatch {
  cspViolations: string[];
  elsewhere: string[];
}

/** A fresh context (no storage) allowed to use the clipboard, and a watched page in it. */
export async function openConsolePage(
  browser: Browser,
  baseUrl: string,
): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport: WIDE });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const watch: PageWatch = { cspViolations: [], elsewhere: [] };
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) watch.cspViolations.push(message.text());
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(baseUrl) && !url.startsWith('data:') && !url.startsWith('about:')) watch.elsewhere.push(url);
  });
  return { context, page, watch };
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.x A/AA rules and best practice). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Screenshots the page at 1440 px and at 375 px (full page) into test-artifacts/console/, running axe
 * at both widths, and returns the violations found (empty when none).
 */
export async function captureAndCheck(page: Page, name: string): Promise<string[]> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const found: string[] = [];
  for (const [label, size] of [['1440', WIDE], ['375', NARROW]] as const) {
    await page.setViewportSize(size);
    // Let layout (and the chart's ResizeObserver) settle at the new width before the picture.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${label}.png`), fullPage: true });
    found.push(...(await seriousViolations(page)).map((v) => `${name} at ${label} px: ${v}`));
  }
  await page.setViewportSize(WIDE);
  return found;
}

/** Everything of the page a key could be left in: its HTML and text, the URL, both storages, cookies. */
export async function everywhereOnPage(page: Page): Promise<string> {
  const inPage = (await page.evaluate(
    `JSON.stringify([document.documentElement.outerHTML, document.body.innerText, location.href,
      JSON.stringify(Object.assign({}, sessionStorage)), JSON.stringify(Object.assign({}, localStorage)),
      history.state === null ? '' : JSON.stringify(history.state)])`,
  )) as string;
  const cookies = JSON.stringify(await page.context().cookies());
  return inPage + cookies;
}

/** The access token the console keeps in sessionStorage (to call the API as the same user). */
export async function sessionToken(page: Page): Promise<string> {
  const stored = (await page.evaluate(`sessionStorage.getItem('kaizen.session')`)) as string | null;
  if (!stored) throw new Error('no session in sessionStorage');
  return (JSON.parse(stored) as { accessToken: string }).accessToken;
}

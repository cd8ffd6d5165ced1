/**
 * Headless Chromium for the HTML report tests: Debian's `chromium` driven by playwright-core. Absent browser:
 * the tests skip with a clear message, except under CI (CI=true), where a missing browser fails them, since
 * .ci/run installs it.
 */
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/** The chromium executable on PATH, or null. */
export function chromiumPath(): string | null {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path !== '') return path;
    } catch {
      // not on PATH under this name
    }
  }
  return null;
}

/** Why the browser tests cannot run here, or null when they can (or must: under CI a missing browser fails). */
export function browserSkipReason(): string | null {
  if (chromiumPath() !== null || process.env.CI === 'true') return null;
  return 'no chromium on PATH: the HTML report browser tests are skipped (install Debian\'s chromium, as .ci/run does)';
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === null) throw new Error('chromium is not installed (CI=true: .ci/run must install it)');
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

/** What a page did while it was open: console errors, uncaught exceptions and any request but the page itself. */
export interface PageWatch {
  readonly errors: string[];
  readonly requests: string[];
}

/** Opens `file` (a path) in a new page of `browser`, recording errors and requests; waits until it has drawn. */
export async function openReport(browser: Browser, file: string, viewport = { width: 1400, height: 900 }): Promise<{ page: Page; watch: PageWatch }> {
  // Offline: the page must work with no network at all, as an attachment opened from disk.
  const page = await browser.newPage({ viewport, offline: true });
  const watch: PageWatch = { errors: [], requests: [] };
  const url = `file://${file}`;
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(e.message));
  page.on('request', (r) => {
    if (r.url() !== url) watch.requests.push(r.url());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  return { page, watch };
}

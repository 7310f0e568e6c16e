/**
 * A real headless Chromium for UI tests: the build shipped inside the npm package @sparticuz/chromium (unpacked to
 * the temp directory on first use), driven by puppeteer-core. Nothing is downloaded from a browser CDN and nothing
 * needs apt-get. Pages' console errors and uncaught exceptions are collected so a test can assert there were none.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Where screenshots go (CI keeps the directory as test artifacts). */
export const ARTIFACTS_DIR = join(__dirname, '..', 'artifacts');

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args,
    headless: true,
    defaultViewport: { width: 1400, height: 900 },
  });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught page exceptions seen so far. */
  readonly errors: string[];
}

/** A new page whose console errors and page errors are recorded. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e instanceof Error ? e.message : String(e)));
  return { page, errors };
}

/** Saves a full-page screenshot under test/artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

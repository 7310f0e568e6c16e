/**
 * Drives report.html in a real headless Chromium (test/helpers/browser.ts) and prints what it saw as one JSON line;
 * report-browser.test.ts asserts on it. A separate process (run with tsx) because puppeteer-core 25 and
 * @sparticuz/chromium are ESM-only, which jest's CommonJS module system on Node 20 cannot load.
 * Usage: tsx test/reports/report-browser-driver.ts <report.html> <zoom windows as JSON [[from, to], ...]> [--docs]
 * (--docs: also copy the charts' screenshot to docs/report.png, the README's picture, taken of a shipped-data run.)
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { z } from 'zod';
import { ARTIFACTS_DIR, launchBrowser, screenshot, watchedPage } from '../helpers/browser';

const CHARTS = ['chart-price', 'chart-equity', 'chart-models', 'chart-importance'] as const;

const zoomStateSchema = z.object({ level: z.string(), candles: z.number(), window: z.tuple([z.number(), z.number()]) });
type ZoomState = z.infer<typeof zoomStateSchema>;

// Page code is passed as strings: the project compiles without the DOM library (as test/dashboard does).
const js = (value: unknown): string => JSON.stringify(value);

/** Non-transparent pixels of the chart's canvas (ECharts draws everything on it). */
async function drawnPixels(page: Page, id: string): Promise<number> {
  return z.number().parse(
    await page.evaluate(`(() => {
      const canvas = document.querySelector('#' + ${js(id)} + ' canvas');
      const ctx = canvas && canvas.getContext('2d');
      if (!ctx) return 0;
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    })()`),
  );
}

async function zoomState(page: Page): Promise<ZoomState> {
  return zoomStateSchema.parse(JSON.parse(z.string().parse(await page.evaluate('JSON.stringify(window.reportCharts.state)'))));
}

async function zoomTo(page: Page, from: number, to: number): Promise<ZoomState & { note: string; pixels: number }> {
  await page.evaluate(
    `echarts.getInstanceByDom(document.getElementById('chart-price')).dispatchAction({ type: 'dataZoom', dataZoomIndex: 0, startValue: ${from}, endValue: ${to} })`,
  );
  // The page swaps the data after a short debounce.
  await page.waitForFunction(`Math.abs(window.reportCharts.state.window[0] - ${from}) < 120000`, { timeout: 10_000 });
  const note = z.string().parse(await page.evaluate(`document.getElementById('zoom-level').textContent`));
  return { ...(await zoomState(page)), note, pixels: await drawnPixels(page, 'chart-price') };
}

/** The price and equity charts only (the README's picture): the full page of a long run is very tall. */
async function chartsShot(page: Page): Promise<string> {
  const box = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).parse(
    await page.evaluate(`(() => {
      const top = document.getElementById('chart-price').getBoundingClientRect();
      const bottom = document.getElementById('chart-equity').getBoundingClientRect();
      return { x: 0, y: top.top + window.scrollY - 40, width: document.documentElement.clientWidth, height: bottom.bottom - top.top + 50 };
    })()`),
  );
  const path = join(ARTIFACTS_DIR, 'report-charts.png');
  await page.screenshot({ path, clip: box });
  return path;
}

async function main(): Promise<void> {
  const [file, windowsJson, docs] = process.argv.slice(2);
  const windows = z.array(z.tuple([z.number(), z.number()])).parse(JSON.parse(windowsJson ?? '[]'));
  const browser = await launchBrowser();
  try {
    const { page, errors } = await watchedPage(browser);
    await page.goto(pathToFileURL(file!).href, { waitUntil: 'load' });
    await page.waitForFunction('window.reportCharts !== undefined && window.reportCharts.state.ready === true', { timeout: 20_000 });
    const drawn: Record<string, { instance: boolean; pixels: number }> = {};
    for (const id of CHARTS) {
      const instance = z
        .boolean()
        .parse(
          await page.evaluate(`(() => { const el = document.getElementById(${js(id)}); return el !== null && echarts.getInstanceByDom(el) !== undefined; })()`),
        );
      drawn[id] = { instance, pixels: await drawnPixels(page, id) };
    }
    const initial = await zoomState(page);
    await screenshot(page, 'report');
    const charts = await chartsShot(page);
    if (docs === '--docs') copyFileSync(charts, join(__dirname, '..', '..', 'docs', 'report.png'));
    const zooms = [];
    for (const [from, to] of windows) zooms.push(await zoomTo(page, from, to));
    await screenshot(page, 'report-zoomed');
    process.stdout.write(`${JSON.stringify({ charts: drawn, initial, zooms, errors })}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

/**
 * The browser half of the adopt test in dashboard-browser.test.ts (a child process under tsx, as browser-driver.ts
 * and for the same reason): opens a live bot's page while its reconciliation reports a mismatch, clicks Adopt,
 * accepts the confirmation, and waits until the page (through the event stream, no reload) shows the
 * reconciliation ok. Prints what it saw as one JSON line (DRIVER_RESULT ...).
 */
import { launchBrowser, screenshot, watchedPage } from '../helpers/browser';

export interface ReconcileDriverInput {
  /** The bot page's address. */
  readonly url: string;
}

export interface ReconcileDriverResult {
  readonly before: string;
  readonly adoptButtons: number;
  readonly dialogs: string[];
  readonly controlResult: string;
  readonly after: string;
  readonly buttonsAfter: number;
  readonly reloaded: boolean;
  readonly errors: string[];
  readonly screenshots: string[];
}

const FIELD = '[data-field="reconciliation"]';
const text = (selector: string) => `(document.querySelector(${JSON.stringify(selector)}) || {}).textContent || ''`;

async function main(input: ReconcileDriverInput): Promise<ReconcileDriverResult> {
  const browser = await launchBrowser();
  try {
    const { page, errors } = await watchedPage(browser);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await page.goto(input.url, { waitUntil: 'load' });
    await page.waitForSelector(`${FIELD} button[data-command="adopt"]`, { timeout: 10_000 });
    const before = String(await page.evaluate(text(FIELD)));
    const adoptButtons = Number(await page.evaluate(`document.querySelectorAll('${FIELD} button[data-command="adopt"]').length`));
    const mismatch = await screenshot(page, 'dashboard-reconciliation-mismatch');
    await page.evaluate('window.notReloaded = true');
    await page.click(`${FIELD} button[data-command="adopt"]`);
    await page.waitForFunction(`!['', '...'].includes(${text('#control-result')})`, { timeout: 20_000 });
    const controlResult = String(await page.evaluate(text('#control-result')));
    // The test releases the bar at which the bot adopts; the stream then brings the new state.
    await page.waitForSelector(`${FIELD} [data-reconciliation="ok"]`, { timeout: 30_000 });
    const after = String(await page.evaluate(text(FIELD)));
    const buttonsAfter = Number(await page.evaluate(`document.querySelectorAll('${FIELD} button').length`));
    const reloaded = (await page.evaluate('window.notReloaded === true')) !== true;
    const resolved = await screenshot(page, 'dashboard-reconciliation-adopted');
    return { before, adoptButtons, dialogs, controlResult, after, buttonsAfter, reloaded, errors, screenshots: [mismatch, resolved] };
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  main(JSON.parse(process.argv[2] ?? '{}') as ReconcileDriverInput).then(
    (r) => console.log(`DRIVER_RESULT ${JSON.stringify(r)}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/**
 * The browser half of dashboard-browser.test.ts, run as a child process under tsx: jest cannot load the ESM-only
 * @sparticuz/chromium and puppeteer-core that test/helpers/browser.ts uses, plain Node can. It drives the pages as
 * an operator would and prints what it saw as one JSON line (DRIVER_RESULT ...) for the test to check.
 * Page scripts are passed as strings: the project compiles without the DOM library.
 */
import { launchBrowser, screenshot, watchedPage } from '../helpers/browser';

export interface DriverInput {
  readonly url: string;
  /** The off-localhost dashboard, reached through 127.0.0.1. */
  readonly tokenUrl: string;
  readonly token: string;
  readonly workflowId: string;
  readonly botPath: string;
}

export interface DriverResult {
  readonly list: { readonly fields: Record<string, string>; readonly live: string; readonly errors: string[]; readonly screenshot: string };
  readonly bot: {
    readonly canvases: number;
    readonly headings: string[];
    readonly dialogs: string[];
    readonly controlResult: string;
    readonly stateAfter: string;
    readonly reloaded: boolean;
    readonly errors: string[];
    readonly screenshot: string;
  };
  readonly token: {
    readonly withoutStatus: number;
    readonly withStatus: number;
    readonly finalUrl: string;
    readonly listsBot: boolean;
    readonly tokenInPage: boolean;
    readonly errors: string[];
  };
}

const FIELDS = ['equity', 'state', 'position', 'models', 'pnlToday', 'lastBar'];

async function main(input: DriverInput): Promise<DriverResult> {
  const browser = await launchBrowser();
  try {
    const row = `tr[data-bot="${input.workflowId}"]`;
    const a = await watchedPage(browser);
    await a.page.goto(input.url, { waitUntil: 'load' });
    await a.page.waitForSelector(row, { timeout: 10_000 });
    const fields: Record<string, string> = {};
    for (const f of FIELDS) fields[f] = String(await a.page.evaluate(`document.querySelector(${JSON.stringify(`${row} [data-field="${f}"]`)}).textContent`));
    await a.page.waitForFunction(`/^live \\d/.test(document.getElementById('live').textContent)`, { timeout: 10_000 });
    const live = String(await a.page.evaluate(`document.getElementById('live').textContent`));
    const list = { fields, live, errors: a.errors, screenshot: await screenshot(a.page, 'dashboard-bots') };
    await a.page.close();

    const b = await watchedPage(browser);
    const dialogs: string[] = [];
    b.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await b.page.goto(`${input.url}${input.botPath}`, { waitUntil: 'load' });
    await b.page.waitForSelector('#price canvas', { timeout: 10_000 });
    await b.page.waitForSelector('#equity canvas', { timeout: 10_000 });
    const canvases = Number(await b.page.evaluate(`document.querySelectorAll('.chart canvas').length`));
    const headings = JSON.parse(String(await b.page.evaluate(`JSON.stringify(Array.from(document.querySelectorAll('h2'), (h) => h.textContent))`))) as string[];
    await b.page.evaluate('window.notReloaded = true');
    await b.page.click('button[data-command="pause"]');
    await b.page.waitForFunction(
      `document.getElementById('control-result').textContent !== '...' && document.getElementById('control-result').textContent !== ''`,
      {
        timeout: 20_000,
      },
    );
    const controlResult = String(await b.page.evaluate(`document.getElementById('control-result').textContent`));
    // The state cell changes through the event stream, not through the control's answer.
    await b.page.waitForFunction(`document.querySelector('[data-field="state"]').textContent === 'paused'`, { timeout: 10_000 }).catch(() => undefined);
    const stateAfter = String(await b.page.evaluate(`document.querySelector('[data-field="state"]').textContent`));
    const reloaded = (await b.page.evaluate('window.notReloaded === true')) !== true;
    const bot = { canvases, headings, dialogs, controlResult, stateAfter, reloaded, errors: b.errors, screenshot: await screenshot(b.page, 'dashboard-bot') };
    await b.page.close();

    const c = await watchedPage(browser);
    const refused = await c.page.goto(input.tokenUrl, { waitUntil: 'load' });
    const opened = await c.page.goto(`${input.tokenUrl}?token=${encodeURIComponent(input.token)}`, { waitUntil: 'load' });
    const listsBot = (await c.page.$(row)) !== null;
    const token = {
      withoutStatus: refused?.status() ?? 0,
      withStatus: opened?.status() ?? 0,
      finalUrl: c.page.url(),
      listsBot,
      tokenInPage: (await c.page.content()).includes(input.token),
      // The deliberate 401 of the first visit is logged by Chromium as a failed resource: not a page error.
      errors: c.errors.filter((e) => !/status of 401/.test(e)),
    };
    await c.page.close();
    return { list, bot, token };
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  main(JSON.parse(process.argv[2] ?? '{}') as DriverInput).then(
    (r) => console.log(`DRIVER_RESULT ${JSON.stringify(r)}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/**
 * report.html in a real headless Chromium, opened via file:// as a user would (report-browser-driver.ts, in its
 * own process): every chart has an ECharts instance and a drawn canvas, the page logs no error, and zooming swaps
 * in finer candles built from the embedded detail chunks, down to every 1-minute bar. Inputs: a 14-day SYNTHETIC
 * run built by the real engine (synthetic-run.ts). Screenshots: test/artifacts/report*.png and docs/report.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { renderReportHtml } from '../../reports/report-html';
import { SYNTHETIC_START, syntheticReportInput } from './synthetic-run';

const DAY = 86_400_000;
const zoomSchema = z.object({ level: z.string(), candles: z.number(), note: z.string().nullable(), pixels: z.number() });
const resultSchema = z.object({
  charts: z.record(z.string(), z.object({ instance: z.boolean(), pixels: z.number() })),
  initial: z.object({ level: z.string(), candles: z.number() }),
  zooms: z.array(zoomSchema),
  errors: z.array(z.string()),
});

describe('report.html in Chromium', () => {
  let result: z.infer<typeof resultSchema>;
  const dir = mkdtempSync(join(tmpdir(), 'report-browser-'));

  beforeAll(() => {
    const file = join(dir, 'report.html');
    writeFileSync(file, renderReportHtml(syntheticReportInput(14)));
    const windows = [
      [SYNTHETIC_START + 2 * DAY, SYNTHETIC_START + 7 * DAY],
      [SYNTHETIC_START + 3 * DAY, SYNTHETIC_START + 4 * DAY],
    ];
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, 'report-browser-driver.ts'), file, JSON.stringify(windows)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    result = resultSchema.parse(JSON.parse(out.trim().split('\n').pop()!));
  }, 70_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every chart on a drawn canvas, without console errors', () => {
    expect(Object.keys(result.charts).sort()).toEqual(['chart-equity', 'chart-importance', 'chart-models', 'chart-price']);
    for (const [id, chart] of Object.entries(result.charts)) {
      expect([id, chart.instance]).toEqual([id, true]);
      expect(chart.pixels).toBeGreaterThan(5_000);
    }
    expect(result.errors).toEqual([]);
  });

  it('starts on the overview and loads finer candles, then every minute, when zoomed in', () => {
    expect(result.initial).toMatchObject({ level: 'overview', candles: 14 * 96 }); // 15-minute candles
    const [fiveDays, oneDay] = result.zooms;
    // Days 2-7 plus half a window each side, clipped at the data's start (day 0): 9.5 days of 5-minute candles.
    expect(fiveDays).toMatchObject({ level: '5-minute', candles: 9.5 * 288, note: '5-minute candles' });
    // One day plus half a day loaded on each side, one candle per minute.
    expect(oneDay).toMatchObject({ level: 'detail', candles: 2 * 1440, note: '1-minute bars' });
    expect(oneDay!.pixels).toBeGreaterThan(5_000);
  });
});

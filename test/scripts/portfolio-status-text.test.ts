/** `npm run bot -- status` for a portfolio: the text and JSON of a literal PortfolioStatus and its bots. */
import type { BotStatus } from '../../contracts/bot';
import type { PortfolioStatus } from '../../contracts/portfolio';
import type { PortfolioBot, PortfolioSummary } from '../../dashboard/portfolio';
import { botLine, portfolioStatusJson, portfolioStatusText } from '../../scripts/lib/portfolio-status-text';

const T = Date.UTC(2026, 11, 3, 10, 15);

const status: PortfolioStatus = {
  mode: 'paper',
  symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'],
  rules: { weights: { BTCUSDT: 2, ETHUSDT: 1, SOLUSDT: 1 }, maxPositions: 2, maxGrossExposure: 1.05, maxDailyDrawdown: 0.03 },
  equity: 10_100,
  dayOpenEquity: 10_000,
  pnlToday: 100,
  halted: true,
  positions: 1,
  grossExposure: 0.495,
  books: [
    { symbol: 'BTCUSDT', equity: 5_050, notional: 5_000 },
    { symbol: 'ETHUSDT', equity: 2_525, notional: 0 },
    { symbol: 'SOLUSDT', equity: 2_525, notional: 0 },
  ],
  lastServed: T,
  minutesServed: 42,
  waitingFor: ['SOLUSDT'],
  recentRefusals: [
    { openTime: T - 120_000, symbol: 'ETHUSDT', reason: 'max_positions', prediction: 0.0012, notional: 2_500 },
    { openTime: T - 60_000, symbol: 'SOLUSDT', reason: 'portfolio_halted', prediction: -0.0008, notional: 2_400 },
  ],
  refusalCounts: { max_positions: 3, portfolio_halted: 1 },
  killSwitches: [T - 60_000],
};

const summary: PortfolioSummary = {
  workflowId: 'portfolio-paper',
  runId: 'run-1',
  mode: 'paper',
  execution: 'RUNNING',
  closedAt: null,
  status,
  statusError: null,
  symbols: status.symbols,
};

const btcStatus = {
  symbol: 'BTCUSDT',
  mode: 'paper',
  position: { side: 'LONG', qty: 0.05, entryPrice: 100_000, entryTime: T - 600_000, modelVersion: 'BTCUSDT-m1' },
  pending: null,
  equity: 5_050,
  pnlToday: 50,
  dayOpenEquity: 5_000,
  modelVersion: 'BTCUSDT-m1',
  paused: false,
  halted: false,
  lastBar: { openTime: T, close: 101_000, prediction: 0.0003, stale: false, action: 'hold' },
  barsProcessed: 42,
  tradesClosed: 1,
  stopping: false,
  awaitingBar: true,
  challenger: null,
  lastDrift: null,
  rollingSharpe: null,
  retrainsTriggered: 0,
  reconciliation: null,
} satisfies BotStatus;

const bots: PortfolioBot[] = [
  {
    symbol: 'BTCUSDT',
    workflowId: 'bot-BTCUSDT-paper',
    bot: {
      workflowId: 'bot-BTCUSDT-paper',
      runId: 'r',
      symbol: 'BTCUSDT',
      mode: 'paper',
      state: 'trading',
      execution: 'RUNNING',
      status: btcStatus,
      statusError: null,
      levels: null,
      pnlTotal: 50,
    },
    error: null,
  },
  {
    symbol: 'ETHUSDT',
    workflowId: 'bot-ETHUSDT-paper',
    bot: {
      workflowId: 'bot-ETHUSDT-paper',
      runId: 'r',
      symbol: 'ETHUSDT',
      mode: 'paper',
      state: 'trading',
      execution: 'RUNNING',
      status: null,
      statusError: 'no status: no answer within 5 s (is a worker of the trading queue running?)',
      levels: null,
      pnlTotal: null,
    },
    error: null,
  },
  { symbol: 'SOLUSDT', workflowId: 'bot-SOLUSDT-paper', bot: null, error: 'no bot workflow in Temporal' },
];

test('the portfolio block: equity, PnL today, halt with its kill switch, positions and exposure against their caps', () => {
  const text = portfolioStatusText(summary, bots);
  expect(text).toContain('portfolio-paper  (paper; workflow RUNNING)');
  expect(text).toContain('  equity     10100.00 USDT (day open 10000.00)');
  expect(text).toContain('  pnl today  +100.00 USDT (+1.00 %)');
  expect(text).toContain('  halted     YES: no entries until the next UTC day (kill switch fired at 2026-12-03 10:14 UTC)');
  expect(text).toContain('npm run bot -- portfolio-resume --mode paper');
  expect(text).toContain('  positions  1 / 2 (max_positions)');
  expect(text).toContain('  exposure   0.495 of equity (max 1.050)');
  expect(text).toContain('  minutes    42 this run, last 2026-12-03 10:15 UTC');
  expect(text).toContain('  refusals   max_positions 3, max_exposure 0, portfolio_halted 1, portfolio_unavailable 0');
});

test("each symbol's line: normalised weight, allocation, book, the bot's side, a pending report", () => {
  const lines = portfolioStatusText(summary, bots).split('\n');
  const line = (symbol: string) => lines.find((l) => l.startsWith(`    ${symbol}`)) ?? '';
  expect(line('BTCUSDT')).toBe('    BTCUSDT      weight 0.500  allocation 5050.00  equity 5050.00  position LONG 5000.00');
  expect(line('ETHUSDT')).toBe('    ETHUSDT      weight 0.250  allocation 2525.00  equity 2525.00  position flat');
  expect(line('SOLUSDT')).toContain('position flat  report pending');
});

test('recent refusals newest first, then one line per bot saying why one has no status', () => {
  const text = portfolioStatusText(summary, bots);
  const refusals = text.slice(text.indexOf('recent refusals'), text.indexOf('\nbots\n'));
  expect(refusals.split('\n').slice(1)).toEqual([
    '    2026-12-03 10:14 UTC  SOLUSDT      portfolio_halted      prediction -8.00 bp  notional 2400.00',
    '    2026-12-03 10:13 UTC  ETHUSDT      max_positions         prediction +12.00 bp  notional 2500.00',
  ]);
  const botLines = text.slice(text.indexOf('\nbots\n') + 6).split('\n');
  expect(botLines).toEqual([
    '  bot-BTCUSDT-paper      trading  LONG 0.0500 @ 100000.00  equity 5050.00  pnl today +50.00  last bar 2026-12-03 10:15 UTC hold',
    '  bot-ETHUSDT-paper      trading (workflow RUNNING)  no status: no answer within 5 s (is a worker of the trading queue running?)',
    '  bot-SOLUSDT-paper      no bot workflow in Temporal',
  ]);
  expect(botLine(bots[2]!)).toBe(botLines[2]);
});

test('a portfolio that is not halted, has no cap and no refusals; a closed one without status says why', () => {
  const calm: PortfolioStatus = {
    ...status,
    halted: false,
    killSwitches: [],
    recentRefusals: [],
    refusalCounts: {},
    rules: { ...status.rules, maxGrossExposure: null },
  };
  const text = portfolioStatusText({ ...summary, status: calm }, []);
  expect(text).toContain('  halted     no (kill switch never fired)');
  expect(text).toContain('0.495 of equity (no cap)');
  expect(text).toContain('  recent refusals: none');
  expect(text).toContain('bots\n  none known');
  const closed = portfolioStatusText(
    { ...summary, execution: 'TERMINATED', closedAt: T, status: null, statusError: 'the portfolio ended terminated: no final status' },
    [],
  );
  expect(closed).toContain('portfolio-paper  (paper; workflow TERMINATED at 2026-12-03T10:15:00.000Z)');
  expect(closed).toContain('  status     the portfolio ended terminated: no final status');
  expect(closed).toContain('  symbols    BTCUSDT, ETHUSDT, SOLUSDT');
  expect(closed).toContain("note: the portfolio is closed; one bot's own status: npm run bot -- status --symbol <SYMBOL> --mode paper");
  expect(text).not.toContain('note:');
});

test('--json: the structured form carries the status and each bot with its error', () => {
  const json = JSON.parse(JSON.stringify(portfolioStatusJson(summary, bots))) as ReturnType<typeof portfolioStatusJson>;
  expect(json).toMatchObject({ workflowId: 'portfolio-paper', command: 'status', execution: 'RUNNING', portfolio: { status: { equity: 10_100 } } });
  expect(json.bots.map((b) => [b.symbol, b.state, b.error])).toEqual([
    ['BTCUSDT', 'trading', null],
    ['ETHUSDT', 'trading', 'no status: no answer within 5 s (is a worker of the trading queue running?)'],
    ['SOLUSDT', null, 'no bot workflow in Temporal'],
  ]);
});

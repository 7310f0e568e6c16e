/** The reconciliation check: what the exchange may show that the bot explains, and what halts it. */
import { adoptPosition, bookCash, initialState, reconcile, type AccountSnapshot, type BotAccountView, type TraderState } from '../../../domain/trading';
import { NO_COSTS } from './fixtures';

const START = Date.UTC(2026, 0, 5);
const flat = initialState(NO_COSTS, START);
const short: TraderState = { ...flat, position: { side: 'SHORT', qty: 0.01, entryPrice: 20_000, entryTime: START, entryFee: 0.08, modelVersion: 'm1' } };
const ids = { sl: 'mlb-sl', tp: 'mlb-tp' };
const tolerance = { qtyStep: 0.001 };

function snapshot(extra: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return { time: START, position: null, protective: null, walletBalance: 5_000, funding: { amount: 0, through: START }, ...extra };
}
const view = (trader: TraderState, extra: Partial<BotAccountView> = {}): BotAccountView => ({ trader, protective: null, baseline: null, ...extra });

test('agreeing sides are ok, and the first check sets the balance baseline', () => {
  const result = reconcile(view(flat), snapshot(), tolerance);
  expect(result).toMatchObject({ status: 'ok', differences: [], funding: 0, baseline: { wallet: 5_000, cash: flat.cash } });
});

test('a position the bot does not know, or one gone from the exchange, is unexplained', () => {
  const opened = reconcile(view(flat), snapshot({ position: { side: 'LONG', qty: 0.02, entryPrice: 20_100 } }), tolerance);
  expect(opened.status).toBe('mismatch');
  expect(opened.differences).toEqual([expect.objectContaining({ field: 'position', bot: 'flat', exchange: 'LONG 0.02', explained: false })]);
  const gone = reconcile(view(short, { protective: ids }), snapshot({ protective: { sl: 'expired', tp: 'expired' } }), tolerance);
  expect(gone.differences.map((d) => d.field)).toEqual(['position', 'stop_loss_order', 'take_profit_order']);
});

test('quantity and entry price are compared within the step and a relative tolerance', () => {
  const same = snapshot({ position: { side: 'SHORT', qty: 0.0104, entryPrice: 20_001 }, protective: { sl: 'open', tp: 'open' } });
  expect(reconcile(view(short, { protective: ids }), same, tolerance).status).toBe('ok');
  const bigger = snapshot({ position: { side: 'SHORT', qty: 0.02, entryPrice: 20_500 }, protective: { sl: 'open', tp: 'open' } });
  expect(reconcile(view(short, { protective: ids }), bigger, tolerance).differences.map((d) => d.field)).toEqual(['quantity', 'entry_price']);
});

test('a protective order that filled since the bar is explained: the next bar books it', () => {
  const result = reconcile(view(short, { protective: ids }), snapshot({ protective: { sl: 'filled', tp: 'expired' } }), tolerance);
  expect(result.status).toBe('explained');
  expect(result.differences).toEqual([expect.objectContaining({ field: 'protective_fill', explained: true })]);
});

test('funding is explained and applied; any other wallet change is not', () => {
  const baseline = { wallet: 5_000, cash: flat.cash };
  const funded = reconcile(view(flat, { baseline }), snapshot({ walletBalance: 4_998.5, funding: { amount: -1.5, through: START + 1 } }), tolerance);
  expect(funded).toMatchObject({ status: 'explained', funding: -1.5, balanceGap: 0, baseline: { wallet: 4_998.5, cash: flat.cash - 1.5 } });
  const moved = reconcile(view(flat, { baseline }), snapshot({ walletBalance: 4_750 }), tolerance);
  expect(moved).toMatchObject({ status: 'mismatch', balanceGap: -250, baseline });
  expect(moved.differences).toEqual([expect.objectContaining({ field: 'balance', bot: '5000', exchange: '4750' })]);
  // The bot's own fills move its cash and the wallet alike.
  const traded = { ...flat, cash: flat.cash - 12 };
  expect(reconcile(view(traded, { baseline }), snapshot({ walletBalance: 4_988 }), tolerance).status).toBe('ok');
});

test('adopting takes the exchange position; booked cash can move the kill switch reference with it', () => {
  const adopted = adoptPosition(flat, { side: 'LONG', qty: 0.02, entryPrice: 20_100 }, START + 60_000);
  expect(adopted.position).toEqual({ side: 'LONG', qty: 0.02, entryPrice: 20_100, entryTime: START + 60_000, entryFee: 0, modelVersion: 'adopted' });
  const moved = bookCash(flat, -250, true);
  expect(moved.cash - flat.cash).toBe(-250);
  expect(moved.dayOpenEquity - flat.dayOpenEquity).toBe(-250);
  expect(bookCash(flat, -1.5, false).dayOpenEquity).toBe(flat.dayOpenEquity);
});

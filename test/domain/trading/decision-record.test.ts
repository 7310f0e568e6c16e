import { decisionAction, decisionReason } from '../../../domain/trading';

const quiet = { orderFailed: false, stale: false, killSwitchFired: false, paused: false, halted: false, hasPrediction: true };

test('the action names the intent standing after the close', () => {
  expect(decisionAction(null)).toBe('hold');
  expect(decisionAction({ type: 'OPEN_LONG', modelVersion: 'm1' })).toBe('open_long');
  expect(decisionAction({ type: 'OPEN_SHORT', modelVersion: 'm1' })).toBe('open_short');
  expect(decisionAction({ type: 'CLOSE', reason: 'kill_switch' })).toBe('close_kill_switch');
});

test('the reason is the first that applies: order failure, lateness, kill switch, pause, halt, then the model', () => {
  expect(decisionReason(quiet)).toBe('model');
  expect(decisionReason({ ...quiet, hasPrediction: false })).toBe('no_prediction');
  expect(decisionReason({ ...quiet, halted: true, paused: true })).toBe('paused');
  expect(decisionReason({ ...quiet, halted: true })).toBe('halted');
  expect(decisionReason({ ...quiet, killSwitchFired: true, halted: true, paused: true })).toBe('kill_switch');
  expect(decisionReason({ ...quiet, stale: true, killSwitchFired: true })).toBe('stale_bar');
  expect(decisionReason({ ...quiet, orderFailed: true, stale: true })).toBe('order_failed');
});

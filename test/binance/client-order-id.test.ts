import { BAR_MS } from '../../domain/bars';
import { BINANCE_CLIENT_ORDER_ID, clientOrderId, parseClientOrderId, workflowHash, type OrderPurpose } from '../../domain/client-order-id';

const BAR = Date.UTC(2023, 2, 8, 14, 37);
const PURPOSES: OrderPurpose[] = ['open', 'close', 'sl', 'tp', 'flatten'];

describe('client order ids', () => {
  it('are deterministic: a retry computes the same id', () => {
    const input = { workflowId: 'bot-btcusdt-live', barOpenTime: BAR, purpose: 'open' as const };
    expect(clientOrderId(input)).toBe(clientOrderId({ ...input }));
    expect(clientOrderId(input)).toBe(clientOrderId({ ...input, attempt: 0 }));
  });

  it("follow Binance's charset and length, also for long and non-ASCII workflow ids", () => {
    const workflowIds = ['b', 'bot-btcusdt-live', 'x'.repeat(500), 'bot/ünïcödé/机器人/🚀', 'bot with spaces & symbols!?'];
    for (const workflowId of workflowIds) {
      for (const purpose of PURPOSES) {
        for (const attempt of [0, 1, 35, 1_000_000]) {
          const id = clientOrderId({ workflowId, barOpenTime: BAR, purpose, attempt });
          expect(id).toMatch(BINANCE_CLIENT_ORDER_ID);
          expect(id.length).toBeLessThanOrEqual(36);
        }
      }
    }
    // Far future bars still fit.
    expect(clientOrderId({ workflowId: 'b', barOpenTime: Date.UTC(2200, 0, 1), purpose: 'flatten', attempt: 99 })).toMatch(BINANCE_CLIENT_ORDER_ID);
  });

  it('differ by purpose, bar, attempt and workflow', () => {
    const ids = new Set<string>();
    const workflows = Array.from({ length: 50 }, (_, i) => `bot-${i}`);
    for (const workflowId of workflows) {
      for (const purpose of PURPOSES) {
        for (let bar = 0; bar < 10; bar++) {
          for (const attempt of [0, 1]) ids.add(clientOrderId({ workflowId, barOpenTime: BAR + bar * BAR_MS, purpose, attempt }));
        }
      }
    }
    expect(ids.size).toBe(workflows.length * PURPOSES.length * 10 * 2);
  });

  it('hash the workflow id with FNV-1a 32-bit', () => {
    // Reference values of FNV-1a 32-bit: "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968.
    expect(workflowHash('')).toBe((0x811c9dc5).toString(36).padStart(7, '0'));
    expect(workflowHash('a')).toBe((0xe40c292c).toString(36).padStart(7, '0'));
    expect(workflowHash('foobar')).toBe((0xbf9cf968).toString(36).padStart(7, '0'));
  });

  it('parse back into bar, purpose, attempt and workflow hash', () => {
    for (const purpose of PURPOSES) {
      const id = clientOrderId({ workflowId: 'bot-7', barOpenTime: BAR, purpose, attempt: 3 });
      expect(parseClientOrderId(id)).toEqual({ workflowHash: workflowHash('bot-7'), barOpenTime: BAR, purpose, attempt: 3 });
    }
    expect(parseClientOrderId(clientOrderId({ workflowId: 'bot-7', barOpenTime: BAR, purpose: 'tp' }))?.attempt).toBe(0);
    expect(parseClientOrderId('x-xcKtGhcu1234567890')).toBeNull();
    expect(parseClientOrderId('mlb-0000000-gmfk0-z')).toBeNull();
  });

  it('refuse inputs that cannot name a decision', () => {
    expect(() => clientOrderId({ workflowId: '', barOpenTime: BAR, purpose: 'open' })).toThrow(/workflowId must not be empty/);
    expect(() => clientOrderId({ workflowId: 'b', barOpenTime: BAR + 1, purpose: 'open' })).toThrow(/minute-aligned/);
    expect(() => clientOrderId({ workflowId: 'b', barOpenTime: BAR, purpose: 'open', attempt: -1 })).toThrow(/attempt must be an integer >= 0/);
    expect(() => clientOrderId({ workflowId: 'b', barOpenTime: BAR, purpose: 'buy' as OrderPurpose })).toThrow(/unknown purpose "buy"/);
  });
});

import { assertLiveTradingAllowed, LiveTradingNotAllowedError, redact } from '../../binance/live-trading-guard';

const credentials = { apiKey: 'AbCdEfGh1234567890KeY', secret: 's3cr3t/with+chars=' };

function refusal(optIns: Parameters<typeof assertLiveTradingAllowed>[0]): LiveTradingNotAllowedError {
  try {
    assertLiveTradingAllowed(optIns);
  } catch (err) {
    if (err instanceof LiveTradingNotAllowedError) return err;
    throw err;
  }
  throw new Error('live trading was allowed');
}

describe('live trading guard', () => {
  it('passes with all three opt-ins and returns the credentials', () => {
    expect(assertLiveTradingAllowed({ paperTradingConfig: false, liveFlag: true, credentials })).toBe(credentials);
  });

  it('names each missing opt-in and how to give it', () => {
    const noConfig = refusal({ paperTradingConfig: true, liveFlag: true, credentials });
    expect(noConfig.missing).toHaveLength(1);
    expect(noConfig.message).toMatch(/1 of the 3 required opt-ins is missing/);
    expect(noConfig.message).toMatch(/execution\.paper_trading: true.*set it to false/);

    const noKeys = refusal({ paperTradingConfig: false, liveFlag: true, credentials: null });
    expect(noKeys.missing).toHaveLength(1);
    expect(noKeys.message).toMatch(/BINANCE_API_KEY and BINANCE_API_SECRET/);

    const noFlag = refusal({ paperTradingConfig: false, liveFlag: false, credentials });
    expect(noFlag.missing).toHaveLength(1);
    expect(noFlag.message).toMatch(/--live flag was not given/);
  });

  it('lists all of them when none is given', () => {
    const none = refusal({ paperTradingConfig: true, liveFlag: false, credentials: null });
    expect(none.missing).toHaveLength(3);
    expect(none.message).toMatch(/3 of the 3 required opt-ins are missing/);
    for (const hint of [/paper_trading/, /BINANCE_API_KEY/, /--live/]) expect(none.message).toMatch(hint);
  });

  it('redacts the key and the secret, also URL-encoded', () => {
    const line = `GET /fapi/v1/order apiKey=${credentials.apiKey} secret=${credentials.secret} enc=${encodeURIComponent(credentials.secret)} key again ${credentials.apiKey}`;
    const clean = redact(line, credentials);
    expect(clean).not.toContain(credentials.apiKey);
    expect(clean).not.toContain(credentials.secret);
    expect(clean).not.toContain(encodeURIComponent(credentials.secret));
    expect(clean.match(/\[REDACTED\]/g)).toHaveLength(4);
    expect(clean).toMatch(/^GET \/fapi\/v1\/order apiKey=\[REDACTED\]/);
    expect(redact(line, null)).toBe(line);
  });
});

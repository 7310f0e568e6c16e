import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, parseConfig } from '../../config/load-config';

function writeTemp(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('configuration', () => {
  const shipped = loadConfig();

  it('ships the defaults of the seed and the shared docs', () => {
    expect(shipped.data).toMatchObject({ symbol: 'BTCUSDT', rolling_window_hours: 48 });
    expect(shipped.training).toMatchObject({ train_freq_minutes: 15, prediction_horizon_minutes: 10 });
    expect(shipped.retraining).toMatchObject({ psi_threshold: 0.25, sharpe_threshold: 0.4, shadow_mode_minutes: 5 });
    expect(shipped.execution).toMatchObject({ paper_trading: true, base_capital: 10000, max_daily_drawdown_pct: 3 });
    expect(shipped.trading).toMatchObject({ entry_threshold_bps: 8, exit_threshold_bps: 4.5, stop_loss_pct: 1, take_profit_pct: 3, cooldown_minutes: 3 });
    expect(shipped.backtest).toMatchObject({ train_hours: 48, test_hours: 24, retrain_minutes: 60 });
    expect(shipped.training.lightgbm).toMatchObject({ num_leaves: 64, max_depth: 8, learning_rate: 0.03, bagging_fraction: 0.8, bagging_freq: 1, seed: 42 });
  });

  it('names the key path and the reason of every bad value', () => {
    const bad = structuredClone(shipped) as Record<string, Record<string, unknown>>;
    bad.execution!.base_capital = -5;
    bad.data!.symbol = 'btc/usdt';
    const file = writeTemp(stringify(bad));
    expect(() => loadConfig(file)).toThrow(ConfigError);
    try {
      loadConfig(file);
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain(file);
      expect(message).toMatch(/execution\.base_capital: .*>0/);
      expect(message).toMatch(/data\.symbol: must be a Binance symbol/);
    }
  });

  it('rejects unknown keys so that typos do not silently fall back to defaults', () => {
    const bad = structuredClone(shipped) as Record<string, Record<string, unknown>>;
    bad.trading!.stop_los_pct = 2;
    expect(() => parseConfig(bad, 'typo.yaml')).toThrow(/trading: Unrecognized key.*stop_los_pct/);
  });

  it('refuses a misspelled LightGBM parameter with its key path and the closest name; aliases are accepted', () => {
    const training = (lightgbm: Record<string, unknown>) => ({
      ...shipped,
      training: { ...shipped.training, lightgbm: { ...shipped.training.lightgbm, ...lightgbm } },
    });
    expect(() => parseConfig(training({ num_leavs: 31 }), 'typo.yaml')).toThrow(
      /training\.lightgbm\.num_leavs: unknown LightGBM parameter 'num_leavs' \(did you mean 'num_leaves'\?\)/,
    );
    expect(() => parseConfig(training({ completely_made_up: 1 }))).toThrow(/unknown LightGBM parameter 'completely_made_up'$/m);
    expect(parseConfig(training({ max_leaves: 31, min_child_samples: 20 })).training.lightgbm.max_leaves).toBe(31);
  });

  it('checks relations between keys', () => {
    const bad = structuredClone(shipped);
    bad.trading.exit_threshold_bps = 12;
    expect(() => parseConfig(bad)).toThrow(/trading\.exit_threshold_bps: must not exceed trading\.entry_threshold_bps/);
  });

  it('reports YAML syntax errors and missing files with the file name', () => {
    expect(() => loadConfig(writeTemp('data: [unclosed'))).toThrow(/not valid YAML/);
    expect(() => loadConfig('/nonexistent/config.yaml')).toThrow(/Cannot read configuration file \/nonexistent\/config\.yaml/);
  });
});

/**
 * The table written by `npm run features`: one row per bar after the warm-up, `open_time` (Unix ms), the 19
 * features in FEATURE_NAMES order and `target` (y_t = c_{t+H} / c_t - 1). The target of the last H bars is not
 * known yet and is left empty. Numbers are written with their shortest round-trip digits (Number(text) gives
 * the computed float64 back exactly).
 */
import type { Bar } from '../../domain/bars';
import { FEATURE_NAMES, N_FEATURES, WARMUP_BARS } from '../../model/features';
import { plainNumber } from '../../reports/numbers';

export const FEATURE_CSV_HEADER: readonly string[] = ['open_time', ...FEATURE_NAMES, 'target'];

/**
 * `features` = computeFeatureMatrix(bars), `targets` = forwardReturns(bars, H) (NaN where unknown).
 * Returns the CSV text ("\n" line ends, header first) and the number of data rows.
 */
export function featureCsv(bars: readonly Bar[], features: Float64Array, targets: Float64Array): { text: string; rows: number } {
  if (features.length !== bars.length * N_FEATURES || targets.length !== bars.length) {
    throw new Error(`featureCsv: ${bars.length} bars but ${features.length / N_FEATURES} feature rows and ${targets.length} targets`);
  }
  const lines = [FEATURE_CSV_HEADER.join(',')];
  const cells = new Array<string>(N_FEATURES + 2);
  for (let i = WARMUP_BARS; i < bars.length; i++) {
    cells[0] = String(bars[i]!.openTime);
    for (let k = 0; k < N_FEATURES; k++) cells[k + 1] = plainNumber(features[i * N_FEATURES + k]!);
    const y = targets[i]!;
    cells[N_FEATURES + 1] = Number.isNaN(y) ? '' : plainNumber(y);
    lines.push(cells.join(','));
  }
  return { text: `${lines.join('\n')}\n`, rows: lines.length - 1 };
}

#!/usr/bin/env python3
"""Plain-Python walk-forward backtest: the benchmark's hand-written baseline for this project.

What a quant would write to reproduce `npm run backtest` with numpy + the `lightgbm` PyPI package:
  1. read the 1-minute bars (CSV of data/README.md or a Binance kline dump, optionally .gz);
  2. compute the 19 features of docs/features.md over the whole run [start, T0 + test) with numpy;
  3. every --retrain-minutes from T0, train LightGBM on the purged 80/20 split of the rows in [T - W, T)
     whose target is known at T (early stopping on validation l2, best iteration kept) and predict the
     bars opening in [T_k, T_k+1);
  4. replay the trading rules of docs/strategy.md (fills at the next open with slippage and fee, stop-loss /
     take-profit inside bars, cooldown, daily kill switch, end_of_test close) bar by bar;
  5. write DIR/trades.csv and DIR/equity.csv in the project's formats and DIR/timings.json.

Funding, leverage > 1 and liquidation are not modelled (the project does not implement them either).
LightGBM runs with its default number of threads unless --num-threads is given (config's num_threads is dropped).

Usage:
  python3 bench/walkforward.py --data FILE.csv[.gz] --train-hours 48 --test-hours 456 --retrain-minutes 60 \
      [--entry-bps X --exit-bps Y] [--window-hours 48] [--config config/config.yaml] [--num-threads N] --out DIR
"""
import time

_T_START = time.perf_counter()

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

import numpy as np  # noqa: E402
import lightgbm as lgb  # noqa: E402

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
WARMUP_BARS = 120
N_FEATURES = 19
BPS = 1e-4
FEATURE_NAMES = [
    "ret_1", "ret_5", "ret_15", "ema12_gap", "ema26_gap", "ema60_gap", "macd", "vwap60_gap", "sma30_gap",
    "rsi14", "accel", "std15", "std60", "std_ratio", "spread", "spread_ma15", "vol_ratio", "vol_price_div",
    "range_pos60",
]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ----------------------------------------------------------------------------------------------------------------
# Configuration: a tiny reader for the block-mapping YAML subset config/config.yaml uses (PyYAML is not needed).
# ----------------------------------------------------------------------------------------------------------------
def _yaml_scalar(text):
    t = text.strip()
    if t == "" or t in ("null", "~", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return t


def _strip_comment(line):
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def read_yaml(path):
    root = {}
    stack = [(-1, root)]
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = _strip_comment(raw.rstrip("\n")).rstrip()
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip(" "))
            key, sep, value = line.strip().partition(":")
            if not sep:
                raise ValueError(f"{path}: unsupported YAML line: {raw!r}")
            while stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1]
            if value.strip() == "":
                child = {}
                parent[key.strip()] = child
                stack.append((indent, child))
            else:
                parent[key.strip()] = _yaml_scalar(value)
    return root


# ----------------------------------------------------------------------------------------------------------------
# Bars
# ----------------------------------------------------------------------------------------------------------------
def read_bars(path):
    """Columns open_time (ms), open, high, low, close, volume; ohlcv or 12-column Binance kline format."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().lstrip("\ufeff").splitlines()
    rows = []
    for line in lines:
        if not line.strip():
            continue
        f = line.split(",")
        if not f[0].strip().isdigit():
            continue  # header
        rows.append(f)
    t = np.array([int(r[0]) for r in rows], dtype=np.int64)
    if len(rows) and len(rows[0][0].strip()) == 16:  # microsecond timestamps (Binance spot dumps from 2025)
        t //= 1000
    cols = [np.array([float(r[j]) for r in rows], dtype=np.float64) for j in range(1, 6)]
    return (t, *cols)


# ----------------------------------------------------------------------------------------------------------------
# Features (docs/features.md). Windows are summed oldest-first, like the project, so values agree bit for bit.
# ----------------------------------------------------------------------------------------------------------------
def _hi_word(x):
    return struct.unpack("<q", struct.pack("<d", x))[0] >> 32


def _set_hi_word(x, hi):
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    return struct.unpack("<d", struct.pack("<Q", ((hi & 0xFFFFFFFF) << 32) | (bits & 0xFFFFFFFF)))[0]


def fdlibm_log1p(x):
    """fdlibm's log1p (what V8's Math.log1p computes). numpy/libm log1p differ from it in the last bit for
    some inputs, which would make vol_price_div differ from the project's by an ulp."""
    ln2_hi, ln2_lo, two54 = 6.93147180369123816490e-01, 1.90821492927058770002e-10, 1.80143985094819840000e16
    hx = _hi_word(x)
    ax = hx & 0x7FFFFFFF
    k, f, hu, c = 1, 0.0, 0, 0.0
    if hx < 0x3FDA827A:
        if ax >= 0x3FF00000:
            return float("-inf") if x == -1.0 else float("nan")
        if ax < 0x3E200000:
            if two54 + x > 0.0 and ax < 0x3C900000:
                return x
            return x - x * x * 0.5
        if hx > 0 or hx <= -1076707644:  # (int32_t)0xbfd2bec4
            k, f, hu = 0, x, 1
    if hx >= 0x7FF00000:
        return x + x
    if k != 0:
        if hx < 0x43400000:
            u = 1.0 + x
            hu = _hi_word(u)
            k = (hu >> 20) - 1023
            c = 1.0 - (u - x) if k > 0 else x - (u - 1.0)
            c /= u
        else:
            u = x
            hu = _hi_word(u)
            k = (hu >> 20) - 1023
            c = 0.0
        hu &= 0x000FFFFF
        if hu < 0x6A09E:
            u = _set_hi_word(u, hu | 0x3FF00000)
        else:
            k += 1
            u = _set_hi_word(u, hu | 0x3FE00000)
            hu = (0x00100000 - hu) >> 2
        f = u - 1.0
    hfsq = 0.5 * f * f
    if hu == 0:
        if f == 0.0:
            if k == 0:
                return 0.0
            c += k * ln2_lo
            return k * ln2_hi + c
        r = hfsq * (1.0 - 0.66666666666666666 * f)
        return f - r if k == 0 else k * ln2_hi - ((r - (k * ln2_lo + c)) - f)
    s = f / (2.0 + f)
    z = s * s
    r = z * (6.666666666666735130e-01 + z * (3.999999999940941908e-01 + z * (2.857142874366239149e-01 + z * (
        2.222219843214978396e-01 + z * (1.818357216161805012e-01 + z * (1.531383769920937332e-01 + z * 1.479819860511658591e-01))))))
    if k == 0:
        return f - (hfsq - s * (hfsq + r))
    return k * ln2_hi - ((hfsq - (s * (hfsq + r) + (k * ln2_lo + c))) - f)


def _wsum(x, w):
    """Sum of each full window x[i-w+1 .. i] (i >= w-1), added oldest first; row j is window ending at w-1+j."""
    m = len(x) - w + 1
    out = np.zeros(m)
    for k in range(w):
        out += x[k:k + m]
    return out


def _windows(x, w):
    return np.lib.stride_tricks.sliding_window_view(x, w)


def _wstd(x, w):
    """Sample std (n-1) over full windows; exactly 0 for a constant window (as the project)."""
    m = len(x) - w + 1
    mean = _wsum(x, w) / w
    ss = np.zeros(m)
    for k in range(w):
        d = x[k:k + m] - mean
        ss += d * d
    win = _windows(x, w)
    constant = win.max(axis=1) == win.min(axis=1)
    return np.where(constant, 0.0, np.sqrt(ss / (w - 1)))


def _wcorr(x, y, w):
    """Pearson correlation over full windows; 0 when either side is constant or the denominator is not > 0."""
    m = len(x) - w + 1
    mx = _wsum(x, w) / w
    my = _wsum(y, w) / w
    sxx = np.zeros(m)
    syy = np.zeros(m)
    sxy = np.zeros(m)
    for k in range(w):
        dx = x[k:k + m] - mx
        dy = y[k:k + m] - my
        sxx += dx * dx
        syy += dy * dy
        sxy += dx * dy
    wx, wy = _windows(x, w), _windows(y, w)
    constant = (wx.max(axis=1) == wx.min(axis=1)) | (wy.max(axis=1) == wy.min(axis=1))
    denom = np.sqrt(sxx) * np.sqrt(syy)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.clip(sxy / denom, -1.0, 1.0)
    return np.where(constant | ~(denom > 0), 0.0, r)


def compute_features(o, h, l, c, v):
    """n x 19 float64 matrix; the history starts at bar 0. Rows < 59 (incomplete 60-bar windows) are NaN: they are
    inside the 120-bar warm-up, which is never used for training, prediction or trading."""
    n = len(c)
    F = np.full((n, N_FEATURES), np.nan)
    if n < 60:
        return F
    # Recursive parts: EMAs seeded with the first close, Wilder RSI from the first difference, log-volume change.
    a12, a26, a60, ar = 2 / 13, 2 / 27, 2 / 61, 1 / 14
    b12, b26, b60, br = 1 - a12, 1 - a26, 1 - a60, 1 - ar
    ema12 = np.empty(n)
    ema26 = np.empty(n)
    ema60 = np.empty(n)
    rsi = np.empty(n)
    dlv = np.empty(n)
    cl = c.tolist()
    e12 = e26 = e60 = cl[0]
    g = lo = 0.0
    prev = cl[0]
    last_lv = fdlibm_log1p(float(v[0]))
    dlv[0] = 0.0
    vl = v.tolist()
    for i in range(n):
        x = cl[i]
        if i > 0:
            e12 = a12 * x + b12 * e12
            e26 = a26 * x + b26 * e26
            e60 = a60 * x + b60 * e60
            d = x - prev
            gain = d if d > 0 else 0.0
            loss = -d if d < 0 else 0.0
            if i == 1:
                g, lo = gain, loss
            else:
                g = ar * gain + br * g
                lo = ar * loss + br * lo
            lv = fdlibm_log1p(vl[i])
            dlv[i] = lv - last_lv
            last_lv = lv
        ema12[i], ema26[i], ema60[i] = e12, e26, e60
        rsi[i] = (100.0 if g > 0 else 50.0) if lo == 0 else 100 - 100 / (1 + g / lo)
        prev = x

    s = slice(59, n)  # rows with every window full
    ret1 = np.zeros(n)
    ret1[1:] = c[1:] / c[:-1] - 1
    ret5 = np.zeros(n)
    ret5[5:] = c[5:] / c[:-5] - 1
    ret15 = np.zeros(n)
    ret15[15:] = c[15:] / c[:-15] - 1
    cs = c[s]
    F[s, 0] = ret1[s]
    F[s, 1] = ret5[s]
    F[s, 2] = ret15[s]
    F[s, 3] = cs / ema12[s] - 1
    F[s, 4] = cs / ema26[s] - 1
    F[s, 5] = cs / ema60[s] - 1
    F[s, 6] = (ema12[s] - ema26[s]) / cs
    tp = (h + l + c) / 3
    sum_v = _wsum(v, 60)
    sum_tpv = _wsum(tp * v, 60)
    sum_tp = _wsum(tp, 60)
    with np.errstate(divide="ignore", invalid="ignore"):
        vwap = np.where(sum_v > 0, sum_tpv / sum_v, sum_tp / 60)
        F[s, 16] = np.where(sum_v > 0, v[s] / (sum_v / 60), 0.0)
    F[s, 7] = cs / vwap - 1
    F[s, 8] = cs / (_wsum(c, 30)[59 - 29:] / 30) - 1
    F[s, 9] = rsi[s]
    F[s, 10] = ret5[s] - ret5[54:n - 5]
    std15 = _wstd(ret1, 15)[59 - 14:]
    std60 = _wstd(ret1, 60)
    F[s, 11] = std15
    F[s, 12] = std60
    with np.errstate(divide="ignore", invalid="ignore"):
        F[s, 13] = np.where(std60 == 0, 1.0, std15 / std60)
    spread = (h - l) / c
    F[s, 14] = spread[s]
    F[s, 15] = _wsum(spread, 15)[59 - 14:] / 15
    F[s, 17] = _wcorr(ret1, dlv, 15)[59 - 14:]
    max_h = _windows(h, 60).max(axis=1)
    min_l = _windows(l, 60).min(axis=1)
    rng = max_h - min_l
    with np.errstate(divide="ignore", invalid="ignore"):
        F[s, 18] = np.where(rng > 0, (cs - min_l) / rng, 0.5)
    return F


# ----------------------------------------------------------------------------------------------------------------
# Training (features.md "Training window and split") and LightGBM
# ----------------------------------------------------------------------------------------------------------------
ITERATION_KEYS = {"num_iterations", "num_iteration", "n_iter", "num_tree", "num_trees", "num_round", "num_rounds",
                  "nrounds", "num_boost_round", "n_estimators", "max_iter"}
EARLY_STOP_KEYS = {"early_stopping_round", "early_stopping_rounds", "early_stopping", "n_iter_no_change"}
THREAD_KEYS = {"num_threads", "num_thread", "nthread", "nthreads", "n_jobs"}


def lightgbm_params(cfg_lgb, num_threads):
    params, num_iterations, early_stopping = {}, 100, 0
    for key, value in cfg_lgb.items():
        if key in ITERATION_KEYS:
            num_iterations = int(value)
        elif key in EARLY_STOP_KEYS:
            early_stopping = int(value)
        elif key in THREAD_KEYS:
            continue  # the benchmark's rule: LightGBM's default threads
        else:
            params[key] = ("true" if value else "false") if isinstance(value, bool) else value
    # The project's binding adds these when absent.
    if "verbosity" not in params and "verbose" not in params:
        params["verbosity"] = -1
    params.setdefault("deterministic", "true")
    if "force_col_wise" not in params and "force_row_wise" not in params:
        params["force_col_wise"] = "true"
    if num_threads is not None:
        params["num_threads"] = num_threads
    return params, num_iterations, early_stopping


def training_rows(open_time, n, t_end, window_ms, horizon, vf):
    """First row and sizes of the purged split for a model trained at t_end (bars contiguous from open_time[0])."""
    s = int(open_time[0])
    first = max(WARMUP_BARS, -(-(t_end - window_ms - s) // MINUTE_MS))
    last = min((t_end - (horizon + 1) * MINUTE_MS - s) // MINUTE_MS, n - 1 - horizon)
    n_rows = max(0, last - first + 1)
    n_train_part = math.floor(n_rows * (1 - vf) + 1e-9)
    n_valid = n_rows - n_train_part
    n_train = max(0, n_train_part - horizon)
    if n_train < 100 or n_valid < 20:
        raise SystemExit(f"Training window too short at {t_end}: {n_train} training / {n_valid} validation rows")
    return first, n_train, first + n_train_part, n_valid


# ----------------------------------------------------------------------------------------------------------------
# Trading rules (docs/strategy.md; funding, leverage and liquidation left out as in the project)
# ----------------------------------------------------------------------------------------------------------------
def simulate(ot, o, h, l, c, pred, model, tp, t0):
    """Bars i = 0..n-1 of the test; pred[i]/model[i] belong to the close of bar i. Returns (trades, equity)."""
    entry_th, exit_th = tp["entry"], tp["exit"]
    sl, tpp, cooldown_ms = tp["stop_loss"], tp["take_profit"], tp["cooldown_minutes"] * MINUTE_MS
    max_dd, fee_bps, slip = tp["max_dd"], tp["fee_bps"], tp["slippage_bps"] * BPS
    frac, lev = tp["position_fraction"], tp["leverage"]

    cash = tp["capital"]
    pos = None  # [side(+1/-1), qty, entry_price, entry_time, entry_fee, model]
    pending = None  # ("OPEN", side, model) | ("CLOSE", reason)
    last_exit = None
    day = t0 // DAY_MS
    day_open_eq = cash
    halted, halted_day = False, None
    last_eq = cash
    trades = []
    equity = [(t0, cash)]

    def close(price, time_ms, reason):
        nonlocal cash, pos, pending, last_exit
        d, qty, entry, et, efee, mv = pos
        fee = qty * price * fee_bps * BPS
        pnl = d * qty * (price - entry)
        trades.append(("LONG" if d > 0 else "SHORT", et, entry, time_ms, price, qty, efee + fee, pnl - efee - fee, reason, mv))
        cash = cash + pnl - fee
        pos = None
        pending = None
        last_exit = time_ms

    n = len(ot)
    for i in range(n):
        t, bo, bh, bl, bc = int(ot[i]), o[i], h[i], l[i], c[i]
        # Pending order fills at the open.
        if pending is not None:
            intent, pending = pending, None
            if intent[0] == "CLOSE":
                if pos is not None:
                    close(bo * (1 + slip) if pos[0] < 0 else bo * (1 - slip), t, intent[1])
            elif pos is None and (last_exit is None or t - last_exit >= cooldown_ms) and cash > 0:
                d = intent[1]
                price = bo * (1 + slip) if d > 0 else bo * (1 - slip)
                qty = cash * frac * lev / price
                fee = qty * price * fee_bps * BPS
                pos = [d, qty, price, t, fee, intent[2]]
                cash -= fee
        # Stop-loss first, then take-profit, inside the bar (from the entry bar on).
        if pos is not None:
            d, entry = pos[0], pos[2]
            stop, take = entry * (1 - d * sl), entry * (1 + d * tpp)
            hit = None
            if d > 0:
                if bl <= stop:
                    hit = ("stop_loss", min(bo, stop))
                elif bh >= take:
                    hit = ("take_profit", max(bo, take))
            else:
                if bh >= stop:
                    hit = ("stop_loss", max(bo, stop))
                elif bl <= take:
                    hit = ("take_profit", min(bo, take))
            if hit is not None:
                close(hit[1] * (1 + slip) if d < 0 else hit[1] * (1 - slip), t, hit[0])
        if i == n - 1:
            # The last bar decides nothing: an open position closes at its close.
            pending = None
            if pos is not None:
                close(bc * (1 + slip) if pos[0] < 0 else bc * (1 - slip), t, "end_of_test")
            last_eq = cash
            equity.append((t + MINUTE_MS, last_eq))
            break
        # Decision at the close.
        today = t // DAY_MS
        if today > day:
            day, day_open_eq = today, last_eq
            if halted and halted_day is not None and halted_day < today:
                halted, halted_day = False, None
        eq = cash if pos is None else cash + pos[0] * pos[1] * (bc - pos[2])
        last_eq = eq
        if not halted and eq <= day_open_eq * (1 - max_dd):
            halted, halted_day = True, day
        p = pred[i]
        p = p if (model[i] is not None and math.isfinite(p)) else None
        if pos is not None:
            if halted:
                pending = ("CLOSE", "kill_switch")
            elif p is not None and (p < -exit_th if pos[0] > 0 else p > exit_th):
                pending = ("CLOSE", "signal")
        elif p is not None:
            side = 1 if p > entry_th else -1 if p < -entry_th else 0
            if side != 0 and not halted and (last_exit is None or t + MINUTE_MS - last_exit >= cooldown_ms) and cash > 0:
                pending = ("OPEN", side, model[i])
        equity.append((t + MINUTE_MS, last_eq))
    return trades, equity


# ----------------------------------------------------------------------------------------------------------------
# Output: numbers as the project writes them (shortest round-trip digits, never in exponent notation)
# ----------------------------------------------------------------------------------------------------------------
def plain_number(x):
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite number {x}")
    if x == 0:
        return "0"
    text = repr(x)
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    mant, _, exp = text.partition("e")
    int_part, _, frac_part = mant.partition(".")
    if frac_part == "0":
        frac_part = ""
    digits = (int_part + frac_part).lstrip("0")
    lead_zeros = len(int_part + frac_part) - len((int_part + frac_part).lstrip("0"))
    point = len(int_part) + (int(exp) if exp else 0) - lead_zeros
    digits = digits.rstrip("0") or "0"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def iso_minute(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y%m%dT%H%M")


def main():
    ap = argparse.ArgumentParser(description="Plain-Python walk-forward LightGBM backtest (benchmark baseline)")
    ap.add_argument("--data")
    ap.add_argument("--config", default=os.path.join(ROOT, "config", "config.yaml"))
    ap.add_argument("--start", type=int, help="first bar used, Unix ms (default: first bar of the data)")
    ap.add_argument("--train-hours", type=float)
    ap.add_argument("--test-hours", type=float)
    ap.add_argument("--retrain-minutes", type=int)
    ap.add_argument("--window-hours", type=float, help="training window W (default config data.rolling_window_hours)")
    ap.add_argument("--entry-bps", type=float)
    ap.add_argument("--exit-bps", type=float)
    ap.add_argument("--num-threads", type=int, help="LightGBM num_threads (default: LightGBM's default threads)")
    ap.add_argument("--symbol", help="label of the model versions (default config data.symbol)")
    ap.add_argument("--write-predictions", action="store_true", help="also write DIR/predictions.csv")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    cfg = read_yaml(args.config)
    bt, tr, ex, dcfg, tcfg = cfg["backtest"], cfg["trading"], cfg["execution"], cfg["data"], cfg["training"]
    data = args.data or os.path.join(ROOT, bt["data_file"])
    train_ms = round((args.train_hours if args.train_hours is not None else bt["train_hours"]) * HOUR_MS)
    test_ms = round((args.test_hours if args.test_hours is not None else bt["test_hours"]) * HOUR_MS)
    retrain_ms = (args.retrain_minutes or bt["retrain_minutes"]) * MINUTE_MS
    window_ms = round((args.window_hours if args.window_hours is not None else dcfg["rolling_window_hours"]) * HOUR_MS)
    horizon = int(tcfg["prediction_horizon_minutes"])
    vf = float(tcfg["validation_fraction"])
    symbol = (args.symbol or dcfg["symbol"]).upper()
    params, num_iterations, early_stopping = lightgbm_params(tcfg["lightgbm"], args.num_threads)
    trading = {
        "entry": (args.entry_bps if args.entry_bps is not None else tr["entry_threshold_bps"]) / 1e4,
        "exit": (args.exit_bps if args.exit_bps is not None else tr["exit_threshold_bps"]) / 1e4,
        "stop_loss": tr["stop_loss_pct"] / 100,
        "take_profit": tr["take_profit_pct"] / 100,
        "cooldown_minutes": tr["cooldown_minutes"],
        "max_dd": ex["max_daily_drawdown_pct"] / 100,
        "fee_bps": ex["taker_fee_bps"],
        "slippage_bps": ex["slippage_bps"],
        "position_fraction": ex["position_fraction"],
        "leverage": ex["leverage"],
        "capital": float(ex["base_capital"]),
    }

    # Bars of the run: [start, T0 + test), contiguous.
    t_all, o_all, h_all, l_all, c_all, v_all = read_bars(data)
    start = args.start if args.start is not None else int(t_all[0])
    t0 = start + train_ms
    test_to = t0 + test_ms
    sel = (t_all >= start) & (t_all < test_to)
    ot, o, h, l, c, v = t_all[sel], o_all[sel], h_all[sel], l_all[sel], c_all[sel], v_all[sel]
    n = len(ot)
    if n != (test_to - start) // MINUTE_MS or (n and (ot[0] != start or np.any(np.diff(ot) != MINUTE_MS))):
        raise SystemExit(f"{data}: the run needs contiguous bars {start} .. {test_to} ({(test_to - start) // MINUTE_MS}), found {n}")
    t_loaded = time.perf_counter()

    F = compute_features(o, h, l, c, v)
    t_features = time.perf_counter()

    # Walk forward: the model trained at T_k predicts the bars opening in [T_k, T_k+1).
    first_test = (t0 - start) // MINUTE_MS
    n_test = n - first_test
    pred = np.full(n_test, np.nan)
    model_of = [None] * n_test
    models = []
    train_s = 0.0
    k_time = t0
    while k_time < test_to:
        t_begin = time.perf_counter()
        seg_to = min(k_time + retrain_ms, test_to)
        first, n_train, valid_start, n_valid = training_rows(ot, n, k_time, window_ms, horizon, vf)
        idx_tr = np.arange(first, first + n_train)
        idx_va = np.arange(valid_start, valid_start + n_valid)
        x_tr, y_tr = np.ascontiguousarray(F[idx_tr]), c[idx_tr + horizon] / c[idx_tr] - 1
        x_va, y_va = np.ascontiguousarray(F[idx_va]), c[idx_va + horizon] / c[idx_va] - 1
        d_tr = lgb.Dataset(x_tr, y_tr, params=params, free_raw_data=True)
        d_va = lgb.Dataset(x_va, y_va, params=params, reference=d_tr, free_raw_data=True)
        callbacks = [lgb.early_stopping(early_stopping, verbose=False)] if early_stopping > 0 else []
        booster = lgb.train(params, d_tr, num_boost_round=num_iterations, valid_sets=[d_va], callbacks=callbacks)
        best = booster.best_iteration if booster.best_iteration > 0 else booster.current_iteration()
        a = (k_time - t0) // MINUTE_MS
        b = (seg_to - t0) // MINUTE_MS
        x_seg = np.ascontiguousarray(F[first_test + a:first_test + b])
        pred[a:b] = booster.predict(x_seg, num_iteration=best)
        version = f"{symbol}-{iso_minute(k_time)}-py"
        model_of[a:b] = [version] * (b - a)
        models.append({"version": version, "train_end": k_time, "best_iteration": best, "n_train": n_train, "n_valid": n_valid})
        train_s += time.perf_counter() - t_begin
        k_time += retrain_ms
    t_trained = time.perf_counter()

    s = slice(first_test, n)
    trades, equity = simulate(ot[s], o[s], h[s], l[s], c[s], pred, model_of, trading, t0)
    t_simulated = time.perf_counter()

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "trades.csv"), "w", newline="") as fh:
        fh.write("side,entry_time,entry_price,exit_time,exit_price,qty,fees,net_pnl,exit_reason,model_version\n")
        for side, et, ep, xt, xp, qty, fees, pnl, reason, mv in trades:
            fh.write(f"{side},{et},{plain_number(ep)},{xt},{plain_number(xp)},{plain_number(qty)},{plain_number(fees)},"
                     f"{plain_number(pnl)},{reason},{mv}\n")
    with open(os.path.join(args.out, "equity.csv"), "w", newline="") as fh:
        fh.write("open_time,equity\n")
        fh.write("".join(f"{t},{plain_number(e)}\n" for t, e in equity))
    if args.write_predictions:
        with open(os.path.join(args.out, "predictions.csv"), "w", newline="") as fh:
            fh.write("open_time,prediction,model_version\n")
            fh.write("".join(f"{int(ot[first_test + i])},{repr(float(pred[i]))},{model_of[i]}\n" for i in range(n_test)))
    with open(os.path.join(args.out, "models.json"), "w") as fh:
        json.dump(models, fh, indent=1)
    timings = {
        "wall_s": round(time.perf_counter() - _T_START, 4),
        "features_s": round(t_features - t_loaded, 4),
        "train_s": round(train_s, 4),
        "simulate_s": round(t_simulated - t_trained, 4),
        "models": len(models),
    }
    with open(os.path.join(args.out, "timings.json"), "w") as fh:
        json.dump(timings, fh)
        fh.write("\n")
    print(json.dumps(timings))


if __name__ == "__main__":
    sys.exit(main())

/** The page shell shared by every dashboard page: head, navigation, styles, and helpers for cells and errors. */
import { escapeHtml } from '../../reports/html-escape';

export const esc = escapeHtml;

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:center}
header a{color:#cfd8ea;text-decoration:none}header a:hover{color:#fff}header b{margin-right:20px}
main{padding:16px 20px}table{border-collapse:collapse;background:#fff;margin:8px 0 16px;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #e3e6ec;text-align:left;white-space:nowrap}th{background:#eef1f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}.err{background:#fdecea;color:#8a1c12;padding:8px 12px;border-radius:4px;margin:8px 0}
.state{padding:1px 6px;border-radius:3px;font-weight:600}.state-trading{background:#d9f5e0}.state-paused{background:#fff1c2}
.state-halted{background:#ffd8d2}.state-stopped,.state-stopping{background:#e3e6ec}.chart{height:360px;background:#fff;margin:8px 0}
.small{height:220px}button{margin-right:6px;padding:4px 10px;cursor:pointer}.pos{color:#11772d}.neg{color:#b3261e}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}#live{font-size:12px;color:#6b7385}`;

export function page(title: string, body: string, scripts = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} - bot dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head><body>
<header><b>LightGBM futures bot</b><a href="/">Bots</a><a href="/portfolio">Portfolio</a><a href="/models">Models</a><a href="/backtests">Backtests</a><a href="/sweeps">Sweeps</a><a href="/alerts">Alerts</a><span id="live"></span></header>
<main>${body}</main>${scripts}</body></html>`;
}

/**
 * An error in a sentence: drizzle wraps the driver's error in "Failed query: <sql>", whose cause (ECONNREFUSED,
 * a missing table) is what an operator needs to read.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message.startsWith('Failed query') && err.cause instanceof Error) return describeError(err.cause);
  return err.message || err.name;
}

export function errorBox(what: string, err: unknown): string {
  return `<div class="err">${esc(what)}: ${esc(describeError(err))}</div>`;
}

export function num(x: number | null | undefined, digits = 2): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-';
}

export function signed(x: number | null | undefined, digits = 2): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '<span>-</span>';
  return `<span class="${x >= 0 ? 'pos' : 'neg'}">${x >= 0 ? '+' : ''}${x.toFixed(digits)}</span>`;
}

export function time(ms: number | null | undefined): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : '-';
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[], empty = 'none yet'): string {
  if (rows.length === 0) return `<p>${esc(empty)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** JSON for an inline <script>: `<` escaped so no string in the data can close the element. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

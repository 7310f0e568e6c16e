// Apache ECharts (pinned in package.json), inlined into every HTML page that draws charts: reports and the
// dashboard work offline, with no CDN.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let cached: string | null = null;

/** The minified ECharts bundle, read once per process. */
export function echartsSource(): string {
  if (cached === null) cached = readFileSync(createRequire(__filename).resolve('echarts/dist/echarts.min.js'), 'utf8');
  return cached;
}

/** A <script> element carrying ECharts; `</script` cannot occur inside it. */
export function echartsScriptTag(): string {
  return `<script>${echartsSource().replace(/<\/script/gi, '<\\/script')}</script>`;
}

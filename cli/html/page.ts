/**
 * One self-contained HTML page: inline CSS, the inline viewer script (cli/html/viewer.js, plain DOM and SVG)
 * and the report's data as embedded JSON. No network: a Content-Security-Policy forbids every fetch, so the
 * page works offline and from disk, and a CI run can attach it as one file.
 */
import { readFileSync } from 'node:fs';
import type { ClusterData } from './cluster-model.js';
import type { HistoryData } from './history-model.js';
import type { BatchData } from './batch-model.js';
import { PAGE_STYLE } from './style.js';

/** What a page shows: a run (cluster and history views), a recorded history, or a batch. */
export interface ReportData {
  readonly kind: 'run' | 'history' | 'batch';
  readonly title: string;
  /** Lines under the title: seed, scenario, verdict, repro. */
  readonly summary: readonly string[];
  readonly ok: boolean;
  readonly cluster?: ClusterData;
  readonly history?: HistoryData;
  readonly batch?: BatchData;
}

/**
 * JSON safe inside a `<script>` element: `<` is escaped everywhere, so no `</script>` or `<!--` in the data
 * can end the element early, and U+2028/U+2029 (line breaks to old parsers) are escaped too.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

let viewerSource: string | null = null;

/**
 * The viewer script, read once from beside this module (cli/html/viewer.js from source, dist/cli/html/viewer.js
 * once built: the build copies JavaScript files). A source-map comment is dropped: nothing may be fetched.
 */
function viewer(): string {
  viewerSource ??= readFileSync(new URL('./viewer.js', import.meta.url), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
  return viewerSource;
}

/** The page's content security policy: inline script and style only, no fetch of any kind. */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/** The whole HTML document for `data`. */
export function renderPage(data: ReportData): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<noscript>This report draws its views with JavaScript; enable it to see them.</noscript>',
    `<script id="seaworthy-data" type="application/json">${embedJson(data)}</script>`,
    `<script type="module">${viewer()}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

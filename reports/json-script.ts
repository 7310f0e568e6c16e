/**
 * Data embedded in a page as <script type="application/json">: JSON.stringify escapes quotes, but `<`, `>` and `&`
 * could still close the element (`</script`) or open a comment, and U+2028/2029 break older parsers; all are
 * written as \\u escapes, which JSON.parse reads back unchanged.
 */
import { escapeHtml } from './html-escape';

export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function jsonScriptTag(id: string, value: unknown): string {
  return `<script type="application/json" id="${escapeHtml(id)}">${safeJson(value)}</script>`;
}

/**
 * Text into HTML: the five characters that could end a text or an attribute value, escaped. Eta
 * escapes what templates print; this is for the few places that build HTML in code (the
 * scrolling region's opening tag, the ClassLink guide's Markdown).
 */
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

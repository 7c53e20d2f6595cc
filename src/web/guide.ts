/**
 * The ClassLink guide (docs/classlink-guide.md) as a page of the web admin, so each ClassLink
 * step can link to its part (`/help/classlink#<part>`). The guide is written in a small part of
 * Markdown, and this reads exactly that part: headings (with GitHub's anchors, so the same links
 * work on the file in the repository), paragraphs, `-` and `1.` lists with indented continuation
 * lines, `code`, **bold** and links (to `#part` or http(s) only). Why not a Markdown library: one
 * page of our own text does not warrant a dependency; `guide.test.ts` fails if the guide uses
 * anything this does not read, so nothing unread can reach the page. Every character of the text
 * is HTML-escaped before the few inline marks are turned into tags.
 */
import { readFileSync } from 'node:fs';
import { CLASSLINK_GUIDE_FILE } from './assets.ts';
import { escapeHtml } from './html.ts';

/** The page's address. */
export const CLASSLINK_GUIDE_PATH = '/help/classlink';

/** The guide, rendered. */
export interface RenderedGuide {
  /** The first heading's text. */
  title: string;
  /** The body (the first heading left out: the page shows the title itself). */
  html: string;
  /** Every heading's anchor, in order. */
  anchors: string[];
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[`*]/g, '')
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** Renders the guide's Markdown (see the module comment for what it reads). */
export function renderGuide(markdown: string): RenderedGuide {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  const anchors: string[] = [];
  let title = '';
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const heading = /^(#{1,4}) (.+)$/.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      const text = heading[2]!.trim();
      if (level === 1 && title === '') title = text;
      else {
        const id = anchorOf(text);
        anchors.push(id);
        out.push(`<h${level} id="${id}">${inline(text)}</h${level}>`);
      }
      i++;
      continue;
    }
    const item = /^(- |\d+\. )/.exec(line);
    if (item) {
      const ordered = item[1] !== '- ';
      const items: string[] = [];
      while (i < lines.length && /^(- |\d+\. )/.test(lines[i]!) && /^\d/.test(lines[i]!) === ordered) {
        const marker = /^(- |\d+\. )/.exec(lines[i]!)![1]!;
        const text = [lines[i]!.slice(marker.length)];
        i++;
        // Continuation lines are indented under the item's text.
        while (i < lines.length && /^ {2,}\S/.test(lines[i]!)) text.push(lines[i++]!.trim());
        items.push(`<li>${inline(text.join(' '))}</li>`);
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.join('')}</${tag}>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !/^(#{1,4} |- |\d+\. )/.test(lines[i]!)) para.push(lines[i++]!.trim());
    out.push(`<p>${inline(para.join(' '))}</p>`);
  }
  return { title, html: out.join('\n'), anchors };
}

/** The guide from its file, rendered (read once: it ships with the code). */
let cached: RenderedGuide | undefined;
export function classLinkGuide(): RenderedGuide {
  cached ??= renderGuide(readFileSync(CLASSLINK_GUIDE_FILE, 'utf8'));
  return cached;
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\((#[a-z0-9-]+|https?:\/\/[^)\s]+)\)/g, '<a href="$2">$1</a>');
}

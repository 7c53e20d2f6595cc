import { describe, expect, it } from 'vitest';
import { escapeHtml } from './html.ts';
import { tableScroll } from './render.ts';

describe('escapeHtml', () => {
  it('escapes the five characters that could end a text or an attribute, and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>Tom & Jerry</a> é →`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt; é →',
    );
  });

  it('keeps a scrolling region’s label inside its attribute', () => {
    expect(tableScroll('"><script>')).toBe(
      '<div class="table-scroll" role="region" aria-label="&quot;&gt;&lt;script&gt; (scrolls sideways)" tabindex="0">',
    );
  });
});

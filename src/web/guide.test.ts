import { describe, expect, it } from 'vitest';
import { anchorOf, classLinkGuide, renderGuide } from './guide.ts';

describe('the guide renderer', () => {
  it('reads headings with GitHub anchors, paragraphs, lists with continuation lines, code, bold and links; escapes the rest', () => {
    const g = renderGuide(
      [
        '# Title',
        '',
        '## Share the roster (OAuth 1.0a)',
        'One line',
        'and the next <b>.',
        '',
        '- **Users**: `x` and',
        '  more',
        '- [back](#share-the-roster-oauth-10a), [away](javascript:alert(1))',
        '',
        '1. first',
        '2. second',
      ].join('\n'),
    );
    expect(g.title).toBe('Title');
    expect(g.anchors).toEqual(['share-the-roster-oauth-10a']);
    expect(g.html).toBe(
      [
        '<h2 id="share-the-roster-oauth-10a">Share the roster (OAuth 1.0a)</h2>',
        '<p>One line and the next &lt;b&gt;.</p>',
        '<ul><li><strong>Users</strong>: <code>x</code> and more</li><li><a href="#share-the-roster-oauth-10a">back</a>, [away](javascript:alert(1))</li></ul>',
        '<ol><li>first</li><li>second</li></ol>',
      ].join('\n'),
    );
    expect(anchorOf("ClassLink's `code` route")).toBe('classlinks-code-route');
  });

  it('reads the whole ClassLink guide: no mark left unread, every link to a part finds it', () => {
    const g = classLinkGuide();
    expect(g.title).toMatch(/ClassLink/);
    const text = g.html.replace(/<code>[^<]*<\/code>/g, '');
    expect(text).not.toMatch(/\*\*|`|\]\(|^#/m);
    for (const [, id] of g.html.matchAll(/href="#([^"]+)"/g)) expect(g.anchors).toContain(id);
    expect(new Set(g.anchors).size).toBe(g.anchors.length);
  });
});

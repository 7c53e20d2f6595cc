import { describe, expect, it } from 'vitest';
import { errorPage, escapeHtml, pickerPage } from './sso-page.ts';

describe('pickerPage', () => {
  it('escapes names and ids, and links each user with a stable selector', () => {
    const html = pickerPage({
      tenantName: 'A & B <District>',
      clientId: 'c1',
      requestId: 'r1',
      selectPath: '/oauth2/v2/auth/select',
      denyPath: '/oauth2/v2/auth/deny',
      users: [{ sourcedId: 'stu-"1"', name: "Zoë O'Neil <b>", role: 'Student', school: 'Oak' }],
    });
    expect(html).toContain('A &amp; B &lt;District&gt;');
    expect(html).toContain('data-sourced-id="stu-&quot;1&quot;"');
    expect(html).toContain('href="/oauth2/v2/auth/select?request=r1&amp;user=stu-%221%22"');
    expect(html).toContain('Zoë O&#39;Neil &lt;b&gt;');
    expect(html).not.toContain('<b>');
    expect(html).toContain('<button id="deny"');
  });
});

describe('errorPage', () => {
  it('escapes the message', () => {
    expect(errorPage('bad <uri>')).toContain('<p id="error">bad &lt;uri&gt;</p>');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

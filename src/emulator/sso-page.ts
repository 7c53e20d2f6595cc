/**
 * The emulated LaunchPad's pages (pure HTML strings): "sign in as" a district user, with a deny
 * button, and the error page shown when a request cannot be sent back to the app. Stable
 * selectors for browser tests: `a[data-sourced-id="…"]`, `button#deny`, `input#sourced-id` +
 * `button#sign-in-as`, `#error`.
 */

/** A user offered on the picker page. */
export interface PickerUser {
  /** The roster sourcedId. */
  sourcedId: string;
  /** Display name. */
  name: string;
  /** ClassLink role name (Student, Teacher, Tenant Administrator). */
  role: string;
  /** The user's school ('' when unknown). */
  school: string;
}

/** What the picker page needs. */
export interface PickerPage {
  /** The district's name. */
  tenantName: string;
  /** The app's client id. */
  clientId: string;
  /** The pending request's id. */
  requestId: string;
  /** Path of "sign in as" (GET, params `request` and `user`). */
  selectPath: string;
  /** Path of the deny form (POST, field `request`). */
  denyPath: string;
  /** Users offered, in the order shown. */
  users: PickerUser[];
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE =
  'body{font-family:system-ui,sans-serif;margin:2rem;max-width:48rem}table{border-collapse:collapse}' +
  'td,th{padding:.25rem .75rem;text-align:left;border-bottom:1px solid #ddd}.note{color:#555}';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${body}
</body></html>
`;
}

/** The "sign in as" page. */
export function pickerPage(p: PickerPage): string {
  const href = (sourcedId: string) => `${p.selectPath}?${new URLSearchParams({ request: p.requestId, user: sourcedId }).toString()}`;
  const rows = p.users
    .map(
      (u) =>
        `<tr><td><a href="${escapeHtml(href(u.sourcedId))}" data-sourced-id="${escapeHtml(u.sourcedId)}">${escapeHtml(u.name)}</a></td>` +
        `<td>${escapeHtml(u.role)}</td><td><code>${escapeHtml(u.sourcedId)}</code></td><td>${escapeHtml(u.school)}</td></tr>`,
    )
    .join('\n');
  return page(
    'ClassLink LaunchPad (emulator): sign in',
    `<h1>${escapeHtml(p.tenantName)}</h1>
<p class="note">ClassLink emulator. The app <code>${escapeHtml(p.clientId)}</code> asks you to sign in. Choose who you are.</p>
<table id="users"><thead><tr><th>Name</th><th>Role</th><th>SourcedId</th><th>School</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<form method="get" action="${escapeHtml(p.selectPath)}">
<input type="hidden" name="request" value="${escapeHtml(p.requestId)}">
<label>Anyone else, by sourcedId: <input id="sourced-id" name="user" required></label>
<button id="sign-in-as" type="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(p.denyPath)}">
<input type="hidden" name="request" value="${escapeHtml(p.requestId)}">
<button id="deny" type="submit">Deny</button>
</form>`,
  );
}

/** A page for a request that cannot go back to the app (unknown client, unregistered redirect URI, …). */
export function errorPage(message: string): string {
  return page('ClassLink LaunchPad (emulator): error', `<h1>Sign-in error</h1>\n<p id="error">${escapeHtml(message)}</p>`);
}

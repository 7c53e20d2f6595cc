/**
 * Where ClassLink sends people back to (SPEC §4: "a callback that accepts a ClassLink-initiated
 * code"). A LaunchPad tile sends its code to the redirect URI registered with the tile's client
 * and carries no state, so the address itself must say whose client it is:
 *
 *   <public>/sso/classlink/callback          the deployment's client (ROLLCALL_SSO_CLIENT_ID)
 *   <public>/sso/classlink/callback/<code>   the library whose code it names, with its own client
 *
 * The library's code, not its numeric id: it is stable (codes are never renamed), not secret
 * (it is already in the library's sign-in and LaunchPad links) and readable by the admin who
 * registers it; the code rule keeps it to letters, digits and `- _ .`, safe in a path.
 */

/** The path of the deployment client's callback. */
export const CALLBACK_PATH = '/sso/classlink/callback';

/** The deployment client's redirect URI. */
export function serverCallbackUrl(publicUrl: string): string {
  return `${publicUrl}${CALLBACK_PATH}`;
}

/** A library's own redirect URI. */
export function libraryCallbackUrl(publicUrl: string, libraryCode: string): string {
  return `${publicUrl}${CALLBACK_PATH}/${encodeURIComponent(libraryCode)}`;
}

/** How a library's redirect URI is written where the code is not known (a refusal shown to anyone). */
export function libraryCallbackPattern(publicUrl: string): string {
  return `${publicUrl}${CALLBACK_PATH}/<library code>`;
}

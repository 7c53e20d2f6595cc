/**
 * What the OneRoster REST Settings form and `PUT /api/v1/integrations/oneroster/connection` send,
 * read into the connect request (pure). Each missing or wrong value is refused with a sentence
 * naming the field as the page labels it (the CLI's checks name its options instead).
 */
import { invalid, limitedTextOf, textOf, type Body } from './body.ts';
import type { OneRosterConnectRequest } from '../../sources/oneroster/connect.ts';

/** The connection a form or JSON body asks for. */
export function oneRosterRequestOf(body: Body): OneRosterConnectRequest {
  const baseUrl = urlOf(
    limitedTextOf(body.baseUrl, 'baseUrl', 'The server base URL', 'url'),
    'Enter the server base URL, like https://sis.example.org.',
    'The server base URL',
  );
  const version = textOf(body.version);
  if (version !== '1.1' && version !== '1.2') throw invalid('Choose the OneRoster version the server speaks: 1.1 or 1.2.');
  const authText = textOf(body.auth).toLowerCase();
  if (authText !== '' && authText !== 'oauth1' && authText !== 'oauth2')
    throw invalid('Authentication is OAuth 1.0a or OAuth 2 client credentials.');
  const auth = authText === '' ? (version === '1.2' ? 'oauth2' : 'oauth1') : authText;
  if (auth === 'oauth1' && version === '1.2') throw invalid('OneRoster 1.2 servers use OAuth 2 client credentials: choose OAuth 2.');
  const clientId = limitedTextOf(body.clientId, 'clientId', 'The client id', 'identifier');
  if (clientId === '') throw invalid('Enter the client id (the consumer key) the district gave for Rollcall.');
  const clientSecret = limitedTextOf(body.clientSecret, 'clientSecret', 'The client secret', 'secret');
  if (clientSecret === '')
    throw invalid('Enter the client secret: it is never shown again, so it is asked for each time the connection is saved.');
  const request: OneRosterConnectRequest = { baseUrl, version, auth, clientId, clientSecret };
  if (auth === 'oauth1') return request;
  const tokenUrl = limitedTextOf(body.tokenUrl, 'tokenUrl', 'The token URL', 'url');
  if (tokenUrl !== '') request.tokenUrl = urlOf(tokenUrl, '', 'The token URL');
  const scopes = scopesOf(body.scopes);
  if (scopes.length > 0) request.scopes = scopes;
  const clientAuth = textOf(body.clientAuth).toLowerCase();
  if (clientAuth !== '') {
    if (clientAuth !== 'basic' && clientAuth !== 'post') throw invalid('The secret is sent to the token URL as HTTP Basic or in the form.');
    request.clientAuth = clientAuth;
  }
  return request;
}

/** Scopes as typed (spaces or commas) or as a JSON list; the short names core, roster, demographics are kept for the service. */
export function scopesOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(textOf) : limitedTextOf(value, 'scopes', 'Scopes', 'url').split(/[\s,]+/);
  const scopes = items.map((s) => s.trim()).filter((s) => s !== '');
  for (const s of scopes) {
    // RFC 6749 §3.3 scope-token: printable ASCII but space, `"` and `\`.
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
      throw invalid(`"${s}" is not a scope: give URIs, or core, roster, demographics, separated by spaces.`);
  }
  return scopes;
}

function urlOf(v: string, missing: string, what: string): string {
  if (v === '') throw invalid(missing);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw invalid(`${what} "${v}" is not a web address; it should look like https://sis.example.org.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`${what} must start with https:// (or http://).`);
  return v;
}

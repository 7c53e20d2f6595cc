/**
 * What the ClassLink Settings step and `PUT /api/v1/integrations/classlink/connection` send,
 * read into the connect request (pure): a Tenant ID, a Roster Server or the proxy. Refused with
 * a sentence naming the field as the page labels it, never a command-line option.
 */
import type { ConnectRequest } from '../../sources/classlink/connect.ts';
import { invalid, limitedTextOf, textOf, type Body } from './body.ts';

/** ClassLink Tenant IDs are small positive integers. */
const MAX_TENANT_ID = 2 ** 31 - 1;

/**
 * The connection a body asks for: `mode` (partner, direct, proxy) or, without it, the mode its
 * fields make (a Tenant ID is partner mode, a bearer token proxy mode, an OAuth secret direct).
 */
export function connectRequestOf(body: Body): ConnectRequest {
  const mode =
    textOf(body.mode) || (present(body.tenantId) ? 'partner' : present(body.bearer) ? 'proxy' : present(body.clientSecret) ? 'direct' : '');
  switch (mode) {
    case 'partner':
      return { mode, tenantId: tenantIdOf(body.tenantId) };
    case 'direct': {
      const rosterUrl = rosterUrlOf(body.rosterUrl);
      const clientId = limitedTextOf(body.clientId, 'clientId', 'The OAuth key', 'identifier');
      const clientSecret = limitedTextOf(body.clientSecret, 'clientSecret', 'The OAuth secret', 'secret');
      if (clientId === '' || clientSecret === '')
        throw invalid("Direct mode needs the OAuth key and the OAuth secret of the district's Roster Server.");
      return { mode, rosterUrl, clientId, clientSecret };
    }
    case 'proxy': {
      const rosterUrl = rosterUrlOf(body.rosterUrl);
      const bearer = limitedTextOf(body.bearer, 'bearer', 'The bearer token', 'secret');
      if (bearer === '') throw invalid('Proxy mode needs the bearer token ClassLink gave for this district.');
      return { mode, rosterUrl, bearer };
    }
    default:
      throw invalid(
        'Give a Tenant ID; or, under Advanced, a Roster Server URL with its OAuth key and secret, or a proxy URL with its bearer token.',
      );
  }
}

function tenantIdOf(value: unknown): number {
  const v = textOf(value);
  if (v === '') throw invalid("Enter the district's ClassLink Tenant ID (a number, like 1234).");
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_TENANT_ID)
    throw invalid(`A ClassLink Tenant ID is a whole number, like 1234; "${v}" is not one.`);
  return Number(v);
}

function rosterUrlOf(value: unknown): string {
  const v = limitedTextOf(value, 'rosterUrl', 'The server URL', 'url');
  if (v === '') throw invalid('Enter the server URL, like https://example.oneroster.com.');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw invalid(`"${v}" is not a web address; it should look like https://example.oneroster.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('The server URL must start with https:// (or http://).');
  return v;
}

function present(value: unknown): boolean {
  return textOf(value) !== '';
}

/**
 * Roster Server addresses: a base as admins type it (with or without /ims/oneroster/v1p1, with
 * trailing slashes) cut to the base the clients append paths to, and request URLs built with
 * RFC 3986 encoding — the same encoding OAuth 1.0a signs, so what is sent is what is signed.
 */
import { RollcallError } from '../domain/errors.ts';
import { rfc3986 } from './oauth1.ts';

/** The OneRoster 1.1 REST base path, appended to the server URL. */
export const ONEROSTER_V1P1_PATH = '/ims/oneroster/v1p1';

/** The OneRoster 1.2 rostering REST base path, appended to the server URL. */
export const ONEROSTER_V1P2_PATH = '/ims/oneroster/rostering/v1p2';

/**
 * Cuts a URL to end before /ims/oneroster/v1p1 (or 1.2's /ims/oneroster/rostering/v1p2),
 * without trailing slashes (no validation).
 */
export function rosterBase(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/ims\/oneroster\/(?:v1p1|rostering\/v1p2)$/i, '')
    .replace(/\/+$/, '');
}

/** Validates a server URL (http or https) and returns its base and host. */
export function parseRosterBaseUrl(raw: string): { base: string; host: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new RollcallError(
      'config_invalid',
      'The roster server URL is not a valid address; it should look like https://example.oneroster.com.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RollcallError('config_invalid', 'The roster server URL must start with https:// (or http://).');
  }
  return { base: rosterBase(`${url.origin}${url.pathname}`), host: url.host };
}

/** Encodes each segment of a path such as `schools/{id}/students`. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map(rfc3986)
    .join('/');
}

/** A request URL: root + encoded path + the defined, non-empty parameters in the given order. */
export function requestUrl(root: string, path: string, params: Record<string, string | undefined> = {}): string {
  const query = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
  return `${root}/${encodePath(path)}${query ? `?${query}` : ''}`;
}

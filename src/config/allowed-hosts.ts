/**
 * ROLLCALL_ALLOWED_ROSTER_HOSTS: the hosts a library's admin may point Rollcall at (roster
 * server URLs, OneRoster base URLs, OAuth 2 token URLs). A vendor hosting many districts sets it
 * so that one library's admin cannot make the server fetch an internal address; unset, any
 * host is allowed (a district running its own server types its own addresses).
 *
 * A pattern is an exact host (`sis.example.org`, `10.0.0.5`, `[2001:db8::1]`), every host under
 * a domain (`*.example.org`: not `example.org` itself), either with a port (`sis.example.org:8443`:
 * that port only; without one, any port). Hosts are compared as the URL parser writes them
 * (lower case, IDN as punycode, IPv4 in dotted decimal), so `http://0x7f.1/` is 127.0.0.1.
 * Names are compared, not the addresses they resolve to: list names whose DNS you trust.
 */
import { RollcallError } from '../domain/errors.ts';

/** The variable, as every refusal names it. */
export const ALLOWED_ROSTER_HOSTS = 'ROLLCALL_ALLOWED_ROSTER_HOSTS';

/** One allowed host pattern. */
export interface HostPattern {
  /** The host as the URL parser writes it (IPv6 in brackets), without a trailing dot. */
  host: string;
  /** `*.host`: any host under it, not the host itself. */
  wildcard: boolean;
  /** The only port allowed, or null for any. */
  port: number | null;
}

/** What a checked URL is, in a refusal: "roster URL host 10.0.0.5 is not allowed …". */
export type CheckedUrl = 'roster URL' | 'token URL';

/** A pattern written `host`, `*.domain`, `host:port` or `[v6]:port`. */
const PATTERN = /^(\*\.)?(\[[0-9a-f:.]+\]|[^\s:[\]/\\@?#*]+)(?::(\d{1,5}))?$/i;

/**
 * Reads the list (patterns separated by commas and/or spaces). Throws an Error saying which
 * entry is wrong and why; the loader reports it as config_invalid.
 */
export function parseAllowedHosts(raw: string): HostPattern[] {
  const entries = raw.split(/[\s,]+/).filter((e) => e !== '');
  if (entries.length === 0) throw new Error('lists no host (leave it unset to allow every host)');
  return entries.map(parsePattern);
}

function parsePattern(entry: string): HostPattern {
  const bad = (why: string) => new Error(`"${entry}" is not a host pattern (${why})`);
  if (entry === '*') throw bad('leave the variable unset to allow every host');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) throw bad('give the host only, without http:// or a path');
  const m = PATTERN.exec(entry);
  if (!m) throw bad('use host, *.domain or host:port');
  const wildcard = m[1] !== undefined;
  let host: string;
  try {
    host = normalHost(new URL(`http://${m[2]}/`).hostname);
  } catch {
    throw bad('not a valid host name or address');
  }
  if (wildcard && (host.startsWith('[') || /^[\d.]+$/.test(host))) throw bad('a * goes before a domain name, not an address');
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535)) throw bad('a port is 1 to 65535');
  return { host, wildcard, port };
}

/** Whether a URL's host (and port) is allowed: always when there is no list. */
export function isHostAllowed(allowed: readonly HostPattern[] | undefined, url: URL): boolean {
  if (allowed === undefined) return true;
  const host = normalHost(url.hostname);
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return allowed.some((p) => (p.wildcard ? host.endsWith(`.${p.host}`) : host === p.host) && (p.port === null || p.port === port));
}

/**
 * Refuses a URL whose host is not allowed, in one line naming the setting (the rule of
 * ROLLCALL_ALLOWED_ROSTER_HOSTS, checked where an admin saves an address and again at every
 * request). `via`: the host that redirected there, when it is a redirect's target.
 */
export function refuseUnlessAllowed(allowed: readonly HostPattern[] | undefined, url: string | URL, what: CheckedUrl, via?: string): void {
  if (allowed === undefined) return;
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new RollcallError('invalid_input', `The ${what} is not a valid address.`);
  }
  if (isHostAllowed(allowed, parsed)) return;
  const redirect = via === undefined ? '' : ` (a redirect from ${via})`;
  throw new RollcallError(
    'invalid_input',
    `${what.charAt(0).toUpperCase()}${what.slice(1)} host ${parsed.host}${redirect} is not allowed by ${ALLOWED_ROSTER_HOSTS}; ask whoever runs this server.`,
  );
}

/** `example.org.` and `example.org` are one host. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/**
 * Registering a library's webhook endpoints (admins: the page and the API). Refused in one line
 * and nothing stored: a URL that is not http(s), carries credentials, or points at this
 * Rollcall server (its public URL, or a loopback address on its port — a notice posted to
 * ourselves would reach our own routes); a secret that is not a Standard Webhooks secret. A
 * blank secret gets a new one, shown once on the response and never again (it is stored
 * encrypted, store/webhooks.ts).
 */
import { RollcallError } from '../../domain/errors.ts';
import { TEXT_LIMITS, withinLimit } from '../../domain/text-limits.ts';
import type { Store, WebhookEndpoint } from '../../store/store.ts';
import { newWebhookSecret, webhookKey } from './signing.ts';

/** Where this server is reached (config.web). */
export interface ThisServer {
  /** ROLLCALL_PUBLIC_URL. */
  publicUrl: string;
  /** The port `rollcall serve` listens on. */
  port: number;
}

/** What an admin asks to register. */
export interface EndpointAsk {
  url: string;
  secret?: string | undefined;
  description?: string | undefined;
}

/** The longest URL accepted. */
const MAX_URL = TEXT_LIMITS.webhookUrl;
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0|\[::\])$/i;

/** Registers an endpoint; the secret is returned only when Rollcall made it (show it once). */
export async function registerEndpoint(
  store: Pick<Store, 'webhooks'>,
  server: ThisServer,
  libraryId: number,
  ask: EndpointAsk,
  createdBy: string,
): Promise<{ endpoint: WebhookEndpoint; generatedSecret: string | null }> {
  const url = checkEndpointUrl(ask.url, server);
  const given = (ask.secret ?? '').trim();
  const secret = given === '' ? newWebhookSecret() : given;
  webhookKey(secret);
  const endpoint = await store.webhooks.addEndpoint(libraryId, {
    url,
    description: withinLimit('description', 'The description', (ask.description ?? '').trim(), 'webhookDescription'),
    secret,
    createdBy,
  });
  return { endpoint, generatedSecret: given === '' ? secret : null };
}

/** The URL as stored; a one-line `invalid_input` when it may not be an endpoint. */
export function checkEndpointUrl(text: string, server: ThisServer): string {
  const raw = String(text ?? '').trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RollcallError('invalid_input', 'The endpoint must be a full http:// or https:// address.');
  }
  if (raw.length > MAX_URL) throw new RollcallError('invalid_input', `The endpoint address is longer than ${MAX_URL} characters.`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RollcallError('invalid_input', `The endpoint must be an http:// or https:// address, not ${url.protocol}.`);
  }
  if (url.username || url.password) throw new RollcallError('invalid_input', 'The endpoint address may not carry a user name or password.');
  if (pointsAtThisServer(url, server))
    throw new RollcallError('invalid_input', 'The endpoint points at this Rollcall server; give the receiving system’s address.');
  return url.toString();
}

function pointsAtThisServer(url: URL, server: ThisServer): boolean {
  const port = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');
  try {
    const own = new URL(server.publicUrl);
    if (own.hostname.toLowerCase() === url.hostname.toLowerCase() && port(own) === port(url)) return true;
  } catch {
    // No usable public URL: only the loopback check applies.
  }
  return LOOPBACK.test(url.hostname) && port(url) === String(server.port);
}

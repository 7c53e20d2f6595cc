/**
 * Signing webhook notices by the Standard Webhooks specification (standardwebhooks.com), chosen
 * over GitHub's `X-Hub-Signature-256` because it signs the message id and a timestamp with the
 * body — a receiver can refuse replays (an old timestamp) and drop duplicates (a seen id: every
 * retry keeps its id) — and because receivers get a verifier in every common language from the
 * specification's own libraries, with no Rollcall code to copy.
 *
 *   webhook-id:        msg_… (the same on every retry)
 *   webhook-timestamp: Unix seconds of this attempt
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, `${id}.${timestamp}.${body}`)>
 *
 * The secret is `whsec_` followed by the base64 of the key (24 to 64 random bytes).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { RollcallError } from '../../domain/errors.ts';

/** The prefix of a Standard Webhooks secret. */
export const SECRET_PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** A new secret (32 random bytes). */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The key of a secret; a one-line `invalid_input` when it is not one. */
export function webhookKey(secret: string): Buffer {
  const text = secret.trim();
  const refused = () =>
    new RollcallError(
      'invalid_input',
      `The secret must be "${SECRET_PREFIX}" followed by the base64 of ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} random bytes (leave it blank and Rollcall makes one).`,
    );
  if (!text.startsWith(SECRET_PREFIX)) throw refused();
  const b64 = text.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw refused();
  const key = Buffer.from(b64, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) throw refused();
  return key;
}

/** The three headers of one attempt. */
export function signedHeaders(secret: string, messageId: string, at: Date, body: string): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac('sha256', webhookKey(secret)).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

/**
 * Sends an alert: a JSON POST to the webhook, an e-mail through SMTP (nodemailer). Each
 * failure becomes one line that names the channel and what went wrong — never the webhook URL
 * (Slack-style URLs carry their token in the path) nor the SMTP credentials.
 */
import nodemailer from 'nodemailer';
import { RollcallError, oneLine } from '../domain/errors.ts';
import { alertEmailText, alertWebhookBody, type AlertNotice } from './alerts.ts';

/** Time allowed for one delivery (connect, send, answer) unless told otherwise. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Where alerts go (Config['alerts'] without the threshold). */
export interface AlertChannels {
  /** Webhook URL, or undefined. */
  webhookUrl: string | undefined;
  /** E-mail, or undefined. */
  email: { smtpUrl: string; to: string[]; from: string } | undefined;
}

/** POSTs the alert as JSON; resolves on a 2xx answer, else throws a one-line RollcallError. */
export async function postWebhook(url: string, notice: AlertNotice, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Rollcall alerts' },
      body: JSON.stringify(alertWebhookBody(notice)),
      // A redirect is not followed: the answer we want is the hook's own.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new RollcallError('source_unreachable', `The alert webhook ${unreachable(e, timeoutMs)}.`, { cause: e });
  }
  // The body is not read (nor shown): it is the hook's business, and may be large.
  await response.body?.cancel().catch(() => {});
  if (response.status < 200 || response.status > 299) {
    throw new RollcallError('bad_response', `The alert webhook answered HTTP ${response.status}; the alert was not taken.`);
  }
}

/** Sends the alert by e-mail; throws a one-line RollcallError (without credentials) on failure. */
export async function sendAlertEmail(
  email: NonNullable<AlertChannels['email']>,
  notice: AlertNotice,
  timeoutMs = DELIVERY_TIMEOUT_MS,
): Promise<void> {
  const transport = nodemailer.createTransport({
    url: email.smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const { subject, text } = alertEmailText(notice);
    await transport.sendMail({ from: email.from, to: email.to, subject, text });
  } catch (e) {
    throw new RollcallError('source_unreachable', `The alert e-mail was not sent: ${withoutCredentials(oneLine(e), email.smtpUrl)}.`, {
      cause: e,
    });
  } finally {
    transport.close();
  }
}

/** Why a fetch failed, in words (`did not answer within 10 s`, `could not be reached (ECONNREFUSED)`). */
function unreachable(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: string; name?: string } };
  if (err.name === 'TimeoutError' || err.cause?.name === 'TimeoutError') return `did not answer within ${timeoutMs / 1000} s`;
  const code = err.cause?.code;
  return `could not be reached${code ? ` (${code})` : ''}`;
}

/** A message with the SMTP URL's user name and password blanked, in case a server echoed them. */
function withoutCredentials(message: string, smtpUrl: string): string {
  let text = message.replace(/\.$/, '');
  try {
    const u = new URL(smtpUrl);
    for (const secret of [u.password, decodeURIComponent(u.password), u.username, decodeURIComponent(u.username)]) {
      if (secret.length >= 3) text = text.split(secret).join('***');
    }
  } catch {
    // Not a URL: nothing to blank (the schema accepts only smtp:// and smtps://).
  }
  return text;
}

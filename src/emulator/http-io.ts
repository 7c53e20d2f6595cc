/**
 * Small HTTP helpers of the emulator: a response as a value, imsx error bodies, and reading a
 * JSON request body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A response as a value, before faults may alter it. */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** A JSON body (serialised on sending) or text; ignored when `encoded` is given. */
  body: unknown;
  /** The body already encoded as JSON (large lists are built this way). */
  encoded?: Buffer;
  /** Whether `body` is HTML text rather than JSON. */
  html?: boolean;
  /** For successful OneRoster replies: the envelope key, so a fault can swap it. */
  envelopeKey?: string;
}

/** A OneRoster 1.1 error payload (imsx_StatusInfo), as a reply. */
export function imsxError(status: number, codeMinor: string, description: string): Reply {
  return {
    status,
    body: {
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_messageRefIdentifier: '',
      imsx_description: description,
      imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor }] },
    },
  };
}

/** A gateway-style HTML error page, as a load balancer in front of a server sends. */
export function gatewayError(status: number): Reply {
  const title = status === 502 ? '502 Bad Gateway' : status === 503 ? '503 Service Unavailable' : `${status} Error`;
  return { status, html: true, body: `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center></body></html>\n` };
}

/** The body bytes and content type of a reply. */
export function encodeReply(reply: Reply): { bytes: Buffer; type: string } {
  if (reply.encoded) return { bytes: reply.encoded, type: 'application/json; charset=utf-8' };
  if (reply.html) return { bytes: Buffer.from(String(reply.body)), type: 'text/html; charset=utf-8' };
  return { bytes: Buffer.from(JSON.stringify(reply.body)), type: 'application/json; charset=utf-8' };
}

/** Sends a reply; `bytes` overrides the body (for a truncated one). */
export function send(res: ServerResponse, reply: Reply, bytes?: Buffer): void {
  const encoded = encodeReply(reply);
  const body = bytes ?? encoded.bytes;
  res.writeHead(reply.status, {
    'Content-Type': encoded.type,
    'Content-Length': String(body.length),
    ...reply.headers,
  });
  res.end(body);
}

/** Largest control request body accepted (a batch of a few thousand mutations). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Reads a JSON request body; undefined when it is not valid JSON or too large. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The Bearer token of an Authorization header, or undefined. */
export function bearerOf(authorization: string | undefined): string | undefined {
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
}

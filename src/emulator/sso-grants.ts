/**
 * The emulated sign-in's memory: authorization requests waiting on the picker page, codes
 * (single-use, short-lived, PKCE-bound) and access tokens (24 hours), all on the emulator's
 * clock so tests can move time. No I/O.
 */
import { createHash, randomBytes } from 'node:crypto';

/** ClassLink's code lifetime (CLASSLINK.md §2.1). */
export const CODE_TTL_SECONDS = 300;
/** ClassLink's access-token lifetime. */
export const ACCESS_TOKEN_TTL_SECONDS = 24 * 60 * 60;
/** How long a picker page stays usable. */
const REQUEST_TTL_MS = 60 * 60 * 1000;

/** A validated authorization request (or a LaunchPad launch, which has no state, nonce or PKCE). */
export interface AuthRequest {
  /** The client it is for. */
  clientId: string;
  /** Where the browser goes back to (a registered URI). */
  redirectUri: string;
  /** Requested scopes. */
  scopes: string[];
  /** `state`, returned as given (absent for launches). */
  state?: string;
  /** `nonce`, put in the id_token. */
  nonce?: string;
  /** The S256 `code_challenge`, when PKCE is used. */
  codeChallenge?: string;
  /** Whether it is a LaunchPad launch (the redirect carries no state). */
  launch: boolean;
}

/** An issued code. */
interface CodeGrant {
  request: AuthRequest;
  sourcedId: string;
  /** When the user chose (ms since epoch; the id_token's auth_time). */
  issuedAt: number;
  /** The access token it was exchanged for, once used. */
  usedFor?: string;
}

/** What an access token stands for. */
export interface AccessGrant {
  /** The signed-in user's sourcedId. */
  sourcedId: string;
  /** The client it was issued to. */
  clientId: string;
  /** When it stops working (ms since epoch). */
  expiresAt: number;
}

/** A code that passed every check. */
export interface RedeemedCode {
  /** The request it answered. */
  request: AuthRequest;
  /** The signed-in user. */
  sourcedId: string;
  /** When the user chose (ms). */
  authTime: number;
}

/** What the token request presents with a code. */
export interface CodeCheck {
  /** The authenticated client. */
  clientId: string;
  /** `redirect_uri`, when sent. */
  redirectUri?: string;
  /** `code_verifier`, when sent. */
  codeVerifier?: string;
  /** The code lifetime in force. */
  ttlSeconds: number;
}

/** Why a code was refused (an OAuth `invalid_grant` with a description). */
export interface CodeRefusal {
  error: 'invalid_grant';
  description: string;
}

/** A random URL-safe token. */
function token(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** The S256 code challenge of a verifier (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Pending requests, codes and tokens of one emulator. */
export class SsoGrants {
  private readonly requests = new Map<string, { request: AuthRequest; expiresAt: number }>();
  private readonly codes = new Map<string, CodeGrant>();
  private readonly tokens = new Map<string, AccessGrant>();

  constructor(private readonly now: () => Date) {}

  /** Keeps a request while the user picks who to sign in as; returns its id for the page. */
  openRequest(request: AuthRequest): string {
    const at = this.now().getTime();
    for (const [id, r] of this.requests) if (r.expiresAt <= at) this.requests.delete(id);
    const id = token(16);
    this.requests.set(id, { request, expiresAt: at + REQUEST_TTL_MS });
    return id;
  }

  /** Takes a pending request (each is answered once: a user or a denial). */
  takeRequest(id: string): AuthRequest | undefined {
    const r = this.requests.get(id);
    this.requests.delete(id);
    return r && r.expiresAt > this.now().getTime() ? r.request : undefined;
  }

  /** Issues a code for a user's answer to a request. */
  issueCode(request: AuthRequest, sourcedId: string): string {
    const at = this.now().getTime();
    // Forget codes long past any lifetime a test could set (an hour), used or not.
    for (const [c, g] of this.codes) if (at - g.issuedAt > REQUEST_TTL_MS) this.codes.delete(c);
    const code = token();
    this.codes.set(code, { request, sourcedId, issuedAt: at });
    return code;
  }

  /**
   * Checks a code presented at the token endpoint. A second use is refused and, as RFC 6749
   * §4.1.2 asks, revokes the token the first use got.
   */
  redeemCode(code: string, check: CodeCheck): RedeemedCode | CodeRefusal {
    const grant = this.codes.get(code);
    const refuse = (description: string): CodeRefusal => ({ error: 'invalid_grant', description });
    if (!grant) return refuse('The authorization code is unknown.');
    if (grant.usedFor !== undefined) {
      this.tokens.delete(grant.usedFor);
      return refuse('The authorization code has already been used.');
    }
    if (this.now().getTime() - grant.issuedAt >= check.ttlSeconds * 1000) return refuse('The authorization code has expired.');
    if (grant.request.clientId !== check.clientId) return refuse('The authorization code was issued to another client.');
    if (check.redirectUri !== undefined && check.redirectUri !== grant.request.redirectUri) {
      return refuse('redirect_uri does not match the one of the authorization request.');
    }
    const challenge = grant.request.codeChallenge;
    // Without a challenge a verifier is ignored, as ClassLink (which does not advertise PKCE) would.
    if (challenge !== undefined) {
      if (check.codeVerifier === undefined) return refuse('code_verifier is required: the authorization request used PKCE.');
      if (s256(check.codeVerifier) !== challenge) return refuse('code_verifier does not match the code_challenge.');
    }
    grant.usedFor = '';
    return { request: grant.request, sourcedId: grant.sourcedId, authTime: grant.issuedAt };
  }

  /** Issues an access token for a redeemed code. */
  issueAccessToken(code: string, redeemed: RedeemedCode): { accessToken: string; expiresIn: number } {
    const accessToken = token();
    const at = this.now().getTime();
    for (const [t, g] of this.tokens) if (g.expiresAt <= at) this.tokens.delete(t);
    this.tokens.set(accessToken, {
      sourcedId: redeemed.sourcedId,
      clientId: redeemed.request.clientId,
      expiresAt: at + ACCESS_TOKEN_TTL_SECONDS * 1000,
    });
    const grant = this.codes.get(code);
    if (grant) grant.usedFor = accessToken;
    return { accessToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
  }

  /** What a live access token stands for, or undefined (unknown, revoked or expired). */
  accessGrant(accessToken: string): AccessGrant | undefined {
    const g = this.tokens.get(accessToken);
    return g && g.expiresAt > this.now().getTime() ? g : undefined;
  }
}

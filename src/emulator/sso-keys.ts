/**
 * The emulated LaunchPad's signing key (RS256, made when first needed so emulators that never
 * sign anyone in start as fast as before) and a second, unpublished key for the bad-signature
 * fault. Wraps jose.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

/** The only algorithm ClassLink signs id_tokens with. */
export const ID_TOKEN_ALG = 'RS256';

interface KeyPair {
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  jwk: JWK;
}

/** The signing keys of one emulator. */
export class SsoKeys {
  /** The key id published in the JWKS and put in every id_token header. */
  readonly kid = `cl-${randomBytes(6).toString('hex')}`;
  private published: Promise<KeyPair> | undefined;
  private rogue: Promise<KeyPair> | undefined;

  /** The JWKS document (`/oauth2/v2/jwks`). */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.key()).jwk] };
  }

  /**
   * Signs claims as a JWT. With `rogue`, the signature comes from a key that is not in the
   * JWKS while the header names the published kid: what a forged or mis-keyed token looks like.
   */
  async sign(claims: JWTPayload, rogue = false): Promise<string> {
    const pair = rogue ? await (this.rogue ??= makeKeyPair(this.kid)) : await this.key();
    return new SignJWT(claims).setProtectedHeader({ alg: ID_TOKEN_ALG, kid: this.kid, typ: 'JWT' }).sign(pair.privateKey);
  }

  private key(): Promise<KeyPair> {
    this.published ??= makeKeyPair(this.kid);
    return this.published;
  }
}

async function makeKeyPair(kid: string): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(ID_TOKEN_ALG, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: ID_TOKEN_ALG, use: 'sig' };
  return { privateKey, jwk };
}

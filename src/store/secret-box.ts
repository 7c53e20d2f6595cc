/**
 * Secrets at rest (roster client secrets, bearer tokens): AES-256-GCM with a random 12-byte IV,
 * written as versioned text `rc1:<key id>:<iv>:<ciphertext>:<tag>` (base64url parts). The key
 * id (a hash of the key, not the key) lets a wrong key be told from damaged data.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { RollcallError } from '../domain/errors.ts';

/** Bytes in an AES-256 key. */
export const KEY_BYTES = 32;
/** GCM's recommended IV length: 96 bits. */
const IV_BYTES = 12;
/** GCM's full-length authentication tag. */
const TAG_BYTES = 16;
/** The format's version prefix; a new format gets a new prefix and both are read. */
const FORMAT = 'rc1';
/** Hex digits of the key id: enough to tell keys apart, too few to say anything about the key. */
const KEY_ID_HEX = 8;
const CIPHER = 'aes-256-gcm';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}=?$/;

/**
 * Reads a key written as 64 hex digits or as base64 of 32 bytes. `origin` names where it came
 * from (`ROLLCALL_SECRET_KEY`, a file) for the error sentence.
 */
export function parseSecretKey(text: string, origin: string): Buffer {
  const t = text.trim();
  if (HEX_KEY.test(t)) return Buffer.from(t, 'hex');
  if (BASE64_KEY.test(t)) {
    const key = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw new RollcallError(
    'config_invalid',
    `${origin} must be a 32-byte key written as 64 hex digits or 44 base64 characters (for example the output of \`openssl rand -hex 32\`).`,
  );
}

/** Encrypts and decrypts short secrets with one key. */
export class SecretBox {
  readonly #key: Buffer;
  readonly #keyId: string;

  /** A box for this 32-byte key. */
  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new RangeError(`secret key must be ${KEY_BYTES} bytes`);
    this.#key = Buffer.from(key);
    this.#keyId = keyIdOf(key);
  }

  /** The text form of `plaintext`, encrypted. */
  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.#key, iv, { authTagLength: TAG_BYTES });
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [FORMAT, this.#keyId, iv.toString('base64url'), body.toString('base64url'), tag.toString('base64url')].join(':');
  }

  /**
   * A key for another purpose (signing cookies, CSRF), derived from this one with HMAC so every
   * process of a deployment derives the same key and no second secret needs configuring.
   */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.#key).update(`rollcall derived key\0${purpose}`).digest();
  }

  /** The plaintext of `text`; a RollcallError when it was made with another key or is damaged. */
  decrypt(text: string): string {
    const parts = text.split(':');
    if (parts.length !== 5 || parts[0] !== FORMAT) throw damaged();
    const [, keyId, ivText, bodyText, tagText] = parts as [string, string, string, string, string];
    if (keyId !== this.#keyId) {
      throw new RollcallError(
        'config_invalid',
        'The stored credentials were encrypted with another key; set ROLLCALL_SECRET_KEY (or restore the secret.key file) to the key used when they were saved, or enter the credentials again.',
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw damaged();
    try {
      const decipher = createDecipheriv(CIPHER, this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw damaged();
    }
  }
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('rollcall secret key id\0').update(key).digest('hex').slice(0, KEY_ID_HEX);
}

function damaged(): RollcallError {
  return new RollcallError('config_invalid', 'The stored credentials are damaged and cannot be decrypted; enter the credentials again.');
}

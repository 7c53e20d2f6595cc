/**
 * Where the key for secrets at rest comes from: ROLLCALL_SECRET_KEY when set, else
 * `<dataDir>/secret.key`, generated (mode 0600) the first time a secret is stored or read.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RollcallError } from '../domain/errors.ts';
import { KEY_BYTES, SecretBox, parseSecretKey } from './secret-box.ts';

/** The generated key file's name inside the data folder. */
export const SECRET_KEY_FILE = 'secret.key';
/** Owner read/write only: the key opens every stored credential. */
const KEY_FILE_MODE = 0o600;
/** The data folder holds the key: owner only too. */
const DATA_DIR_MODE = 0o700;

/** Where to find the key. */
export interface SecretKeyOptions {
  /** The key as configured (64 hex or base64 of 32 bytes), or undefined to use the key file. */
  secretKey?: string | undefined;
  /** The data folder holding `secret.key`. */
  dataDir: string;
}

/**
 * A SecretBox that finds (or makes) its key on first use, so commands that never touch a
 * secret never create a key file. A configured key is checked at once: a bad one is a
 * configuration error at start-up, not at the first sync.
 */
export function lazySecretBox(options: SecretKeyOptions): () => SecretBox {
  const configured = options.secretKey === undefined ? undefined : parseSecretKey(options.secretKey, 'ROLLCALL_SECRET_KEY');
  let box: SecretBox | undefined;
  return () => (box ??= new SecretBox(configured ?? readOrCreateKeyFile(options.dataDir)));
}

/** Reads `<dataDir>/secret.key`, creating it with a fresh random key when it does not exist. */
export function readOrCreateKeyFile(dataDir: string): Buffer {
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
    // 'wx' fails when the file exists, so two processes starting at once keep one key.
    writeFileSync(path, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { flag: 'wx', mode: KEY_FILE_MODE });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new RollcallError(
        'store_failed',
        `Cannot create the secret key file ${path}; make the data folder writable or set ROLLCALL_SECRET_KEY.`,
        { cause: e },
      );
    }
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RollcallError('store_failed', `Cannot read the secret key file ${path}; check its permissions.`, { cause: e });
  }
  return parseSecretKey(text, `The secret key file ${path}`);
}

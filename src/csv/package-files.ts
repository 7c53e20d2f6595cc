/**
 * The files of a OneRoster CSV package, whether a folder or a .zip: which are present, and a
 * stream of each. The one module that imports yauzl. Zip entries are streamed straight from
 * the archive (never buffered whole), and each stream opens its own handle on the archive,
 * so files can be read in any order, however they are ordered inside the zip.
 */
import { createReadStream } from 'node:fs';
import { open as openFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { RollcallError, oneLine } from '../domain/errors.ts';
import { entityNamed } from './entities.ts';
import type { CsvEntity } from './entities.ts';

/** The files of an opened package. */
export interface PackageFiles {
  /** The package's base name, for messages (`roster.zip`). */
  readonly label: string;
  /** The stored name of manifest.csv, or undefined when the package has none. */
  readonly manifest: string | undefined;
  /** The stored name of each entity's file that is present (names compare without case). */
  readonly entities: ReadonlyMap<CsvEntity, string>;
  /** What was odd about the package's layout. */
  readonly warnings: string[];
  /** A stream of one stored file's bytes. */
  open(storedName: string): Promise<Readable>;
}

/** Bytes read from a file at a time: large reads keep a million-row file fast. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * The first bytes of a zip file: a local file header, or the end record of an empty zip. Any
 * other start is another kind of file (a CSV, a PDF) that was given the name of a zip.
 */
const ZIP_STARTS = [Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from([0x50, 0x4b, 0x05, 0x06])];

/** Whether a file starts like a zip file: checked before anything reads it as one. */
export async function looksLikeZip(path: string): Promise<boolean> {
  const file = await openFile(path, 'r');
  try {
    const head = Buffer.alloc(ZIP_STARTS[0]!.length);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return bytesRead === head.length && ZIP_STARTS.some((start) => start.equals(head));
  } finally {
    await file.close();
  }
}

/**
 * Opens a package folder or .zip. Throws RollcallError('invalid_input') when it is neither.
 * `label` names it in messages (an upload's own name rather than the file it was stored as).
 */
export async function openPackageFiles(path: string, label = basename(path) || path): Promise<PackageFiles> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    throw new RollcallError(
      'invalid_input',
      `${label} does not exist; give the path of a OneRoster CSV package (a .zip file or a folder).`,
    );
  }
  return info.isDirectory() ? openFolder(path, label) : openZip(path, label);
}

async function openFolder(dir: string, label: string): Promise<PackageFiles> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  return {
    label,
    ...classify(names),
    warnings: [],
    open: async (name) => createReadStream(join(dir, name), { highWaterMark: READ_CHUNK_BYTES }),
  };
}

async function openZip(path: string, label: string): Promise<PackageFiles> {
  let names: string[];
  try {
    names = await listZip(path);
  } catch (e) {
    throw new RollcallError(
      'invalid_input',
      `${label} is not a readable zip file (${oneLine(e)}); a OneRoster CSV package is a .zip of CSV files or a folder of them.`,
      { cause: e },
    );
  }
  const warnings: string[] = [];
  let files = names.filter((n) => !n.includes('/'));
  const atRoot = classify(files);
  if (!atRoot.manifest && atRoot.entities.size === 0) {
    const folder = soleFolder(names);
    if (folder !== undefined) {
      warnings.push(
        `The files of ${label} are inside the folder "${folder}" rather than at the top of the zip; they were read from there.`,
      );
      files = names.filter((n) => n.startsWith(folder) && !n.slice(folder.length).includes('/'));
    }
  }
  const found = classify(files);
  return { label, ...found, warnings, open: (name) => openZipEntry(path, label, name) };
}

/** Sorts stored file names into the manifest and the entity files; other files are ignored. */
function classify(storedNames: readonly string[]): { manifest: string | undefined; entities: Map<CsvEntity, string> } {
  let manifest: string | undefined;
  const entities = new Map<CsvEntity, string>();
  for (const stored of storedNames) {
    const name = stored.slice(stored.lastIndexOf('/') + 1);
    if (!name.toLowerCase().endsWith('.csv')) continue;
    if (name.toLowerCase() === 'manifest.csv') manifest ??= stored;
    const entity = entityNamed(name);
    if (entity !== undefined && !entities.has(entity)) entities.set(entity, stored);
  }
  return { manifest, entities };
}

/** The one top folder every file of the zip sits in (`export/`), or undefined. */
function soleFolder(names: readonly string[]): string | undefined {
  const tops = new Set(names.map((n) => (n.includes('/') ? n.slice(0, n.indexOf('/') + 1) : '')));
  if (tops.size !== 1) return undefined;
  const [top] = tops;
  return top === '' ? undefined : top;
}

/** Whether a zip entry is clutter an archiver adds (macOS resource forks, hidden files). */
function isClutter(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return name.startsWith('__MACOSX/') || base.startsWith('.');
}

function openZipFile(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) => {
      if (err) reject(err);
      else resolve(zip);
    });
  });
}

/** The names of the files in a zip (its central directory only: no file is decompressed). */
async function listZip(path: string): Promise<string[]> {
  const zip = await openZipFile(path);
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const names: string[] = [];
      zip.on('entry', (entry: Entry) => {
        if (!entry.fileName.endsWith('/') && !isClutter(entry.fileName)) names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/** Streams one entry of a zip; the archive handle closes when the stream does. */
async function openZipEntry(path: string, label: string, storedName: string): Promise<Readable> {
  const zip = await openZipFile(path);
  try {
    const entry = await findEntry(zip, storedName);
    if (entry.isEncrypted()) {
      throw new RollcallError('invalid_input', `${storedName} in ${label} is encrypted; export the package without a password.`);
    }
    if (!entry.canDecodeFileData()) {
      throw new RollcallError(
        'invalid_input',
        `${storedName} in ${label} is compressed in a way Rollcall cannot read; zip the package with ordinary (deflate) compression.`,
      );
    }
    const stream = await new Promise<Readable>((resolve, reject) => {
      zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s)));
    });
    stream.once('close', () => zip.close());
    return stream;
  } catch (e) {
    zip.close();
    throw e;
  }
}

function findEntry(zip: ZipFile, storedName: string): Promise<Entry> {
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      if (entry.fileName === storedName) resolve(entry);
      else zip.readEntry();
    });
    zip.on('end', () => reject(new Error(`${storedName} vanished from the zip`)));
    zip.on('error', reject);
    zip.readEntry();
  });
}

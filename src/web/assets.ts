/**
 * Where the files that are not TypeScript are: the page templates, the static files and the
 * ClassLink guide. One rule for both ways Rollcall runs: they are read where they sit in the
 * repository, never copied into the build. The package root is two folders up from this module,
 * in src/web/ (TypeScript through tsx, the tests) and in dist/web/ (the compiled build) alike, so
 * an edited template shows without a rebuild and the build holds only compiled JavaScript.
 */
import { fileURLToPath } from 'node:url';

/** The package root (where package.json is). */
const ROOT = new URL('../../', import.meta.url);

/** The Eta templates. */
export const VIEWS_DIR = fileURLToPath(new URL('src/web/views/', ROOT));

/** The static files served under /static (style sheet, script, icon). */
export const PUBLIC_DIR = fileURLToPath(new URL('src/web/public/', ROOT));

/** The district's ClassLink guide, served as a page. */
export const CLASSLINK_GUIDE_FILE = fileURLToPath(new URL('docs/classlink-guide.md', ROOT));

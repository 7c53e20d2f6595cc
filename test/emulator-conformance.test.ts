/**
 * Spec-strict conformance: in strict mode every response the emulator sends for the rostering
 * endpoints validates against the IMS OneRoster 1.1 OpenAPI (StrongMind's copy, kept outside
 * the repo under shared/oneroster-samples), and carries no field the schema does not declare.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { rosterGet } from './emulator-helpers.ts';

const SPEC_FILE = fileURLToPath(new URL('../../shared/oneroster-samples/oneroster-client-ruby/openapi_original.json', import.meta.url));
const present = existsSync(SPEC_FILE);
if (!present) console.warn(`Conformance tests SKIPPED: the OneRoster 1.1 OpenAPI is not at ${SPEC_FILE}.`);

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; items?: Schema; type?: string };
type Spec = {
  components: { schemas: Record<string, Schema> };
  paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: Schema }> }> } }>;
};

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => void;

describe.skipIf(!present)('strict mode against the OneRoster 1.1 OpenAPI', () => {
  let spec: Spec;
  let ajv: Ajv;
  let emu: RunningEmulator;
  let classlink: RunningEmulator;

  beforeAll(async () => {
    spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Spec;
    // OpenAPI 3.0 schemas carry `example` and other non-JSON-Schema keywords: not strict.
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'oas', components: spec.components });
    const district = { students: 60, seed: 'conformance' };
    emu = await startEmulator({ district, mode: 'strict' });
    classlink = await startEmulator({ district, mode: 'classlink' });
  });
  afterAll(async () => {
    await emu?.close();
    await classlink?.close();
  });

  function validator(path: string, status: '200' | 'default' = '200'): { validate: ValidateFunction; ref: string } {
    const ref = spec.paths[path]!.get.responses[status]!.content['application/json']!.schema.$ref!;
    return { validate: ajv.getSchema(`oas${ref}`)!, ref };
  }

  /** Keys of `value` that its schema does not declare (following $ref, allOf, arrays). */
  function undeclared(schema: Schema, value: unknown, at: string): string[] {
    if (schema.$ref) return undeclared(spec.components.schemas[schema.$ref.split('/').pop()!]!, value, at);
    if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => undeclared(schema.items!, v, `${at}[${i}]`)) : [];
    if (value === null || typeof value !== 'object') return [];
    const parts = schema.allOf ? schema.allOf.map((s) => (s.$ref ? spec.components.schemas[s.$ref.split('/').pop()!]! : s)) : [schema];
    const properties: Record<string, Schema> = Object.assign({}, ...parts.map((p) => p.properties ?? {}));
    return Object.entries(value).flatMap(([k, v]) => (properties[k] ? undeclared(properties[k]!, v, `${at}.${k}`) : [`${at}.${k}`]));
  }

  async function check(server: RunningEmulator, specPath: string, path: string): Promise<{ ok: boolean; errors: string }> {
    const res = await rosterGet(server, path);
    expect(res.status, path).toBe(200);
    const body: unknown = await res.json();
    const { validate, ref } = validator(specPath);
    const ok = validate(body) as boolean;
    const extra = undeclared({ $ref: ref }, body, 'body');
    return { ok: ok && extra.length === 0, errors: `${ajv.errorsText(validate.errors)} ${extra.join(', ')}` };
  }

  async function firstIds(path: string, key: string, count: number): Promise<string[]> {
    const res = await rosterGet(emu, `${path}?limit=10000`);
    const items = ((await res.json()) as Record<string, { sourcedId: string }[]>)[key]!;
    const picks = [0, Math.floor(items.length / 2), items.length - 1, ...Array.from({ length: count }, (_, i) => i)];
    return [...new Set(picks.filter((i) => i < items.length).map((i) => items[i]!.sourcedId))];
  }

  it.each([
    ['/users', '/users'],
    ['/students', '/students'],
    ['/teachers', '/teachers'],
    ['/orgs', '/orgs'],
    ['/schools', '/schools'],
    ['/classes', '/classes'],
    ['/enrollments', '/enrollments'],
    ['/demographics', '/demographics'],
    ['/academicSessions', '/academicSessions'],
    ['/terms', '/terms'],
    ['/gradingPeriods', '/gradingPeriods'],
    ['/schools/{schoolSourcedId}/students', '/schools/org-00000001/students'],
    ['/schools/{schoolSourcedId}/teachers', '/schools/org-00000001/teachers'],
    ['/schools/{schoolSourcedId}/classes', '/schools/org-00000001/classes'],
    ['/schools/{schoolSourcedId}/enrollments', '/schools/org-00000001/enrollments'],
    ['/classes/{classSourcedId}/students', '/classes/cls-00000000/students'],
    ['/classes/{classSourcedId}/teachers', '/classes/cls-00000000/teachers'],
  ])('%s: every record of %s conforms', async (specPath, path) => {
    const result = await check(emu, specPath, `${path}?limit=10000`);
    expect(result.ok, result.errors).toBe(true);
  });

  it.each([
    ['/users/{sourcedId}', '/users', 'users'],
    ['/students/{sourcedId}', '/students', 'users'],
    ['/teachers/{sourcedId}', '/teachers', 'users'],
    ['/orgs/{sourcedId}', '/orgs', 'orgs'],
    ['/schools/{sourcedId}', '/schools', 'orgs'],
    ['/classes/{sourcedId}', '/classes', 'classes'],
    ['/enrollments/{sourcedId}', '/enrollments', 'enrollments'],
    ['/demographics/{sourcedId}', '/demographics', 'demographics'],
    ['/academicSessions/{sourcedId}', '/academicSessions', 'academicSessions'],
    ['/terms/{sourcedId}', '/terms', 'academicSessions'],
  ])('%s conforms', async (specPath, listPath, key) => {
    // Demographics are all checked: they hold the blank dates and non-1.1 sex values strict mode drops.
    for (const id of await firstIds(listPath, key, key === 'demographics' ? 1000 : 5)) {
      const result = await check(emu, specPath, `${listPath}/${id}`);
      expect(result.ok, `${id}: ${result.errors}`).toBe(true);
    }
  });

  it('sends errors as imsx_StatusInfo', async () => {
    const res = await rosterGet(emu, '/users/nobody');
    expect(res.status).toBe(404);
    const { validate } = validator('/users/{sourcedId}', 'default');
    expect(validate(await res.json()), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('has teeth: ClassLink-mode users (string booleans) and undeclared fields do not conform', async () => {
    const result = await check(classlink, '/users', '/users?limit=5');
    expect(result.ok).toBe(false);
    expect(result.errors).toMatch(/enabledUser must be boolean/);
    const users = { $ref: '#/components/schemas/Users.Type' };
    expect(undeclared(users, { users: [{ sourcedId: 'a', orgs: [{ sourcedId: 'o', colour: 'red' }], shoe: 9 }] }, 'body')).toEqual([
      'body.users[0].orgs[0].colour',
      'body.users[0].shoe',
    ]);
  });
});

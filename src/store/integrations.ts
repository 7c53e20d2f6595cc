/**
 * Integration settings per library and kind (SPEC §1.3): enabled flag, settings as JSON, and
 * secrets encrypted at rest (secret-box.ts) — decrypted only when read back.
 */
import type { Selectable } from 'kysely';
import type { IntegrationKind } from '../domain/patron.ts';
import type { RepoContext } from './context.ts';
import type { IntegrationRecord } from './records.ts';
import type { IntegrationSettingsTable } from './tables.ts';

/** What to save; omitted parts keep their stored values (secrets need not be re-entered). */
export interface IntegrationSave {
  /** Whether it is the enabled integration. */
  enabled?: boolean;
  /** Settings (JSON-able). */
  settings?: unknown;
  /** Secrets (replace all stored secrets; `{}` clears them). */
  secrets?: Record<string, string>;
}

/** The integration settings repository. */
export interface IntegrationRepository {
  /** The stored settings with secrets decrypted, or undefined when never saved. */
  get(libraryId: number, kind: IntegrationKind): Promise<IntegrationRecord | undefined>;
  /** Every saved integration of the library, without secrets (no key needed). */
  list(libraryId: number): Promise<Omit<IntegrationRecord, 'secrets'>[]>;
  /** Saves (creates or updates) an integration's settings. */
  save(libraryId: number, kind: IntegrationKind, values: IntegrationSave): Promise<void>;
  /**
   * Inside a transaction, holds the integration's row until it ends, so a read-change-write of
   * its settings cannot lose a sync's write (its barcode sequence, its watermark) made in
   * between. PostgreSQL: `select … for update`; SQLite: nothing to do — its transactions take
   * the write lock at BEGIN.
   */
  lock(libraryId: number, kind: IntegrationKind): Promise<void>;
}

/** The integration repository over a context. */
export function integrationRepository(ctx: RepoContext): IntegrationRepository {
  const encrypt = (secrets: Record<string, string>): string =>
    Object.keys(secrets).length === 0 ? '' : ctx.secrets().encrypt(JSON.stringify(secrets));
  const decrypt = (text: string): Record<string, string> =>
    text === '' ? {} : (JSON.parse(ctx.secrets().decrypt(text)) as Record<string, string>);

  return {
    async lock(libraryId, kind) {
      if (ctx.dialect !== 'postgres') return;
      await ctx.db
        .selectFrom('integration_settings')
        .select('kind')
        .where('library_id', '=', libraryId)
        .where('kind', '=', kind)
        .forUpdate()
        .execute();
    },
    async get(libraryId, kind) {
      const row = await ctx.db
        .selectFrom('integration_settings')
        .selectAll()
        .where('library_id', '=', libraryId)
        .where('kind', '=', kind)
        .executeTakeFirst();
      return row && { ...withoutSecrets(row), secrets: decrypt(row.secrets) };
    },
    async list(libraryId) {
      const rows = await ctx.db
        .selectFrom('integration_settings')
        .selectAll()
        .where('library_id', '=', libraryId)
        .orderBy('kind')
        .execute();
      return rows.map(withoutSecrets);
    },
    async save(libraryId, kind, values) {
      const now = ctx.now();
      const set: Partial<IntegrationSettingsTable> = { updated_at: now };
      if (values.enabled !== undefined) set.enabled = values.enabled ? 1 : 0;
      if (values.settings !== undefined) set.settings = JSON.stringify(values.settings);
      if (values.secrets !== undefined) set.secrets = encrypt(values.secrets);
      await ctx.db
        .insertInto('integration_settings')
        .values({
          library_id: libraryId,
          kind,
          enabled: set.enabled ?? 0,
          settings: set.settings ?? '{}',
          secrets: set.secrets ?? '',
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['library_id', 'kind']).doUpdateSet(set))
        .execute();
    },
  };
}

function withoutSecrets(row: Selectable<IntegrationSettingsTable>): Omit<IntegrationRecord, 'secrets'> {
  return {
    kind: row.kind as IntegrationKind,
    enabled: row.enabled === 1,
    settings: JSON.parse(row.settings) as unknown,
    updatedAt: row.updated_at,
  };
}

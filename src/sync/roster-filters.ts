/**
 * OneRoster filter expressions the fetch sends when it reads records by id: a delta's unchanged
 * family members and homerooms, and a per-school read's parents, demographics and patrons.
 */

/**
 * How many sourcedIds go in one `sourcedId='a' OR sourcedId='b' …` filter. Kept small: real
 * servers cap URL length around 8 KB.
 */
export const IDS_PER_FILTER = 40;

/** `sourcedId='a' OR sourcedId='b' …` filters (or of another id field) covering the ids, a few dozen at a time. */
export function idFilters(ids: readonly string[], field = 'sourcedId'): string[] {
  const filters: string[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_FILTER) {
    filters.push(
      ids
        .slice(i, i + IDS_PER_FILTER)
        .map((id) => `${field}='${id.replace(/'/g, "''")}'`)
        .join(' OR '),
    );
  }
  return filters;
}

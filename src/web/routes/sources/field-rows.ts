/**
 * The Field Mapping step's table (SPEC §1.2): each synced field by number and name, and where
 * it is filled from with the source's current options.
 */
import { FIELDS } from '../../../domain/fields.ts';
import type { OptionsView } from '../../../sources/options.ts';
import { LOCATION_CHOICES } from '../../forms/source-options.ts';

/** Where each synced field comes from by default (SPEC §1.2), for the Field Mapping step. */
const DEFAULT_SOURCES: Readonly<Record<number, string>> = {
  1200: 'user sourcedId',
  1007: 'givenName',
  1008: 'middleName',
  1006: 'familyName',
  1045: 'demographics birthDate',
  1032: 'demographics sex',
  1017: 'phone',
  1019: 'email',
  1049: "the user's agents (parent/guardian): name and phone of the first",
  1054: "the emails of the user's agents, in order, de-duplicated",
  1010: 'grades (first value)',
  1050: 'code of the site matched to the first org in orgs',
  1026: 'status: active → 1 Active; tobedeleted → 4 Transferred',
};

/** A mapping as the page words it. */
function idMappingLabel(m: OptionsView['mapping']['barcode']): string {
  if (m.kind === 'userid') return `userIds of type ${m.type}`;
  if (m.kind === 'none') return 'not mapped';
  return m.kind;
}

/** The field table of the Field Mapping step: number, name, where it comes from now. */
export function fieldRows(options: OptionsView): { number: number; label: string; source: string; mapped: boolean }[] {
  return FIELDS.filter((f) => f.synced).map((f) => {
    if (f.number === 1000)
      return {
        number: f.number,
        label: f.label,
        source: idMappingLabel(options.mapping.barcode),
        mapped: options.mapping.barcode.kind !== 'none',
      };
    if (f.number === 1001)
      return {
        number: f.number,
        label: f.label,
        source: idMappingLabel(options.mapping.communityId),
        mapped: options.mapping.communityId.kind !== 'none',
      };
    if (f.number === 1004) {
      const loc = LOCATION_CHOICES.find((c) => c.value === options.mapping.location);
      return {
        number: f.number,
        label: f.label,
        source: options.mapping.location === 'none' ? 'not mapped' : (loc?.label ?? ''),
        mapped: options.mapping.location !== 'none',
      };
    }
    return { number: f.number, label: f.label, source: DEFAULT_SOURCES[f.number] ?? '', mapped: true };
  });
}

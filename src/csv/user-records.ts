/**
 * Reading users.csv rows into RosterUser. In 1.1 a row carries its `role` and `orgSourcedIds`;
 * in 1.2 they live in roles.csv, plus `primaryOrgSourcedId` on the row, and a RoleIndex built
 * from roles.csv supplies them (the user's role is their primary role, their orgs start with the
 * primary org). Which way a file is read follows its header, not the declared version, since
 * exporters mix the two.
 *
 * 1.2's preferred names (preferredGivenName, preferredMiddleName, preferredFamilyName) are
 * recognised but not read: RosterUser keeps the legal givenName/familyName, as the 1.1 REST
 * sources give. Preferred names may be added to RosterUser later (e.g. for Nickname 1070).
 */
import { RollcallError } from '../domain/errors.ts';
import type { RosterUser } from '../domain/roster.ts';
import type { ResolvedHeader } from './columns.ts';
import { rowsHave } from './notes.ts';
import { cellGetter, finish } from './records.ts';
import type { RowReader } from './records.ts';
import type { RoleIndex } from './roles.ts';
import { RowError, checkRole } from './row-checks.ts';
import type { RowChecks } from './row-checks.ts';
import { parseUserIds, splitList } from './cell-values.ts';

/** The Unicode replacement character: what bytes that are not UTF-8 decode to. */
const REPLACEMENT_CHAR = '\uFFFD';

/**
 * Reads users.csv rows. `roles` is the index built from roles.csv, when the package has one;
 * it is used only when the file has no `role` column. Throws RollcallError('invalid_input') when
 * neither gives users a role.
 */
export function userReader(header: ResolvedHeader, checks: RowChecks, roles: RoleIndex | undefined): RowReader<RosterUser> {
  const col = cellGetter(header);
  const hasRoleColumn = header.indexOf('role') !== -1;
  if (!hasRoleColumn && !roles) {
    throw new RollcallError(
      'invalid_input',
      'users.csv has no "role" column and the package has no roles.csv, so no user\'s role is known; check the export.',
    );
  }
  if (hasRoleColumn && header.indexOf('orgSourcedIds') === -1 && header.indexOf('primaryOrgSourcedId') === -1) {
    throw new RollcallError(
      'invalid_input',
      'users.csv has a "role" column but no "orgSourcedIds" column, so no user\'s school is known; check the export.',
    );
  }
  const [sourcedId, status, modified, enabled, orgs, primaryOrg, role, username, userIds, given, family, middle] = [
    col('sourcedId'),
    col('status'),
    col('dateLastModified'),
    col('enabledUser'),
    col('orgSourcedIds'),
    col('primaryOrgSourcedId'),
    col('role'),
    col('username'),
    col('userIds'),
    col('givenName'),
    col('familyName'),
    col('middleName'),
  ];
  const [identifier, email, sms, phone, agents, grades] = [
    col('identifier'),
    col('email'),
    col('sms'),
    col('phone'),
    col('agentSourcedIds'),
    col('grades'),
  ];
  const { notes } = checks;

  return (cells, line) => {
    const id = sourcedId(cells);
    const ids = parseUserIds(userIds(cells));
    if (ids.bare > 0) {
      notes.note('bare-userids', line, (n) => `${rowsHave(n)} userIds not written as {type:identifier}; kept with an empty type`);
    }
    const record: RosterUser = {
      sourcedId: id,
      status: 'active',
      dateLastModified: modified(cells),
      enabledUser: checks.boolean(enabled(cells), 'enabledUser', true, line),
      role: '',
      orgSourcedIds: [],
      username: username(cells),
      userIds: ids.userIds,
      givenName: given(cells),
      familyName: family(cells),
      middleName: middle(cells),
      identifier: identifier(cells),
      email: email(cells),
      sms: sms(cells),
      phone: phone(cells),
      agentSourcedIds: splitList(agents(cells)),
      grades: splitList(grades(cells)),
    };
    const checked = finish(record, status(cells), line, checks, [
      ['givenName', record.givenName],
      ['familyName', record.familyName],
    ]);
    if (checked instanceof RowError) return checked;
    if ((record.givenName + record.familyName + record.middleName).includes(REPLACEMENT_CHAR)) {
      notes.note('not-utf8', line, (n) => `${rowsHave(n)} names with characters that are not UTF-8; save the file as UTF-8`);
    }

    if (hasRoleColumn) {
      const roleOrError = checkRole(role(cells));
      if (roleOrError instanceof RowError) return roleOrError;
      record.role = roleOrError;
      const list = splitList(orgs(cells));
      const primary = primaryOrg(cells);
      record.orgSourcedIds = primary === '' || list[0] === primary ? list : [primary, ...list.filter((o) => o !== primary)];
      if (record.orgSourcedIds.length === 0) return new RowError('missing orgSourcedIds');
      return record;
    }

    const resolved = roles!.resolve(id, primaryOrg(cells));
    if (!resolved) return new RowError('no role in roles.csv');
    if (resolved.fromSecondary) {
      notes.note('no-primary-role', line, (n) =>
        n === 1
          ? '1 user has no primary role in roles.csv; their first role was used'
          : `${n} users have no primary role in roles.csv; their first role was used`,
      );
    }
    record.role = resolved.role;
    record.orgSourcedIds = resolved.orgSourcedIds;
    return record;
  };
}

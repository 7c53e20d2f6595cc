/**
 * How each interface words a refusal of the source switch (switch.ts) or of a sync
 * (registry.ts maySyncNow): the rule is decided once; the command line points at `rollcall`
 * commands, the web pages at their steps, and the JSON API at its endpoints.
 */
import { RollcallError } from '../domain/errors.ts';
import { SOURCE_COMMANDS, SOURCE_NAMES, type SourceKind } from './kinds.ts';

/** Who asks, and so how the answer is worded. */
export type Asker = 'cli' | 'page' | 'api';

/** Why a source may not be turned on, or may not sync now. */
export type Refusal =
  /** It needs a connection and has none. */
  | { reason: 'not_configured' }
  /** No source is ON, and this is not a dry run. */
  | { reason: 'off' }
  /** Another source is ON. */
  | { reason: 'other_on'; enabled: SourceKind }
  /** None is ON, and a dry run would read another source (the one a sync reads with none ON). */
  | { reason: 'reads_other'; reads: SourceKind };

/** The refusal of turning `kind` on, worded for the asker. */
export function turnOnRefused(kind: SourceKind, asker: Asker): RollcallError {
  const name = SOURCE_NAMES[kind];
  // Turning on is refused only for a missing connection (switch.ts mayTurnOn).
  if (asker === 'cli') {
    return new RollcallError(
      'not_configured',
      `${name} cannot be enabled before it is configured: run \`rollcall ${SOURCE_COMMANDS[kind]} configure\` first.`,
    );
  }
  return new RollcallError(
    'not_configured',
    kind === 'classlink'
      ? 'ClassLink cannot be turned ON before it is connected: save a Tenant ID (step 1, Settings) first.'
      : `${name} cannot be turned ON before it is connected: save its settings (step 1, Settings) first.`,
  );
}

/** The refusal of a sync of `kind`, worded for the asker. */
export function syncRefused(kind: SourceKind, refusal: Refusal, asker: Asker): RollcallError {
  const name = SOURCE_NAMES[kind];
  if (asker === 'cli') {
    const enable = `\`rollcall ${SOURCE_COMMANDS[kind]} enable\``;
    switch (refusal.reason) {
      case 'off':
        return new RollcallError(
          'not_configured',
          `${name} is not enabled for this library (no integration is): run ${enable} first (a dry run works without it).`,
        );
      case 'other_on': {
        const other = SOURCE_NAMES[refusal.enabled];
        return new RollcallError(
          'not_configured',
          `${name} is not enabled for this library; ${other} is, and a library syncs from one integration at a time: to switch, run ${enable} (it clears ${other}'s identifiers).`,
        );
      }
      case 'not_configured':
        return new RollcallError(
          'not_configured',
          `${name} is not configured yet: run \`rollcall ${SOURCE_COMMANDS[kind]} configure\` first.`,
        );
      case 'reads_other':
        break;
    }
  }
  if (asker === 'api') {
    switch (refusal.reason) {
      case 'off':
        return new RollcallError(
          'not_configured',
          'No integration is ON for this library: turn one ON first (POST /api/v1/integrations/classlink/enable), or ask for a dry run.',
        );
      case 'not_configured':
        return new RollcallError(
          'not_configured',
          `${name} is not configured yet, so a dry run has nothing to read: configure it first, or turn ON the integration to sync from.`,
        );
      default:
        break;
    }
  }
  switch (refusal.reason) {
    case 'other_on':
      return new RollcallError(
        'not_configured',
        `${SOURCE_NAMES[refusal.enabled]} is ON for this library, not ${name}: turn ${name} ON first to sync from it.`,
      );
    case 'not_configured':
      return new RollcallError(
        'not_configured',
        kind === 'classlink'
          ? 'ClassLink is not connected yet: save a Tenant ID (step 1, Settings) before syncing.'
          : `${name} is not connected yet: save its settings (step 1, Settings) before syncing.`,
      );
    case 'off':
      return new RollcallError('not_configured', `${name} is OFF: turn it ON before Sync Now, or start a dry run, which writes nothing.`);
    case 'reads_other':
      return new RollcallError(
        'not_configured',
        `Another integration is configured too, so a dry run would not know which to read: turn ${name} ON first.`,
      );
  }
}

/**
 * The refusal of a turn-on whose confirmation is not what it would clear now (switch.ts
 * PreviewChanged): `previewed` the total the admin was shown (undefined: none), `now` what it
 * clears now. Nothing was changed; each asker is told how to confirm the new count.
 */
export function previewChangedSentence(kind: SourceKind, previewed: number | undefined, now: number, asker: Asker): string {
  const name = SOURCE_NAMES[kind];
  const ids = `${now} identifier${now === 1 ? '' : 's'}`;
  const again =
    asker === 'cli'
      ? `to clear them and enable ${name}, run \`rollcall ${SOURCE_COMMANDS[kind]} enable --yes --previewed ${now}\`.`
      : asker === 'api'
        ? `the new preview is in "preview"; to clear them, confirm with {"previewedTotal": ${now}}.`
        : 'check the new counts below, then turn it ON again.';
  if (previewed === undefined) {
    if (asker === 'api')
      return `Turning ${name} ON clears ${ids} of other integrations, and the request does not say how many it was shown: nothing was changed; ${again}`;
    return `Turning ${name} ON clears ${ids} of other integrations: nothing was changed; ${again}`;
  }
  return `The count of identifiers to clear changed from ${previewed} to ${now} since the preview (a sync or a site match came in between): nothing was changed; ${again}`;
}

/** The note after turning `kind` on with no site matched to its schools. */
export function noMatchedSiteNote(kind: SourceKind, asker: Asker): string {
  const how = asker === 'cli' ? `\`rollcall ${SOURCE_COMMANDS[kind]} match-site\`` : 'step 2, Site Mapping';
  return `No site is matched to a ${SOURCE_NAMES[kind]} school yet: a sync needs at least one (${how}).`;
}

/** Why Site Mapping cannot list the schools of a source that is not configured (the pages' words). */
export function schoolsNeedConnection(kind: SourceKind): RollcallError {
  return new RollcallError(
    'not_configured',
    kind === 'classlink'
      ? "Connect to ClassLink first (step 1, Settings): the schools come from the district's roster."
      : kind === 'oneroster'
        ? 'Connect to the OneRoster server first (step 1, Settings): the schools come from its roster.'
        : `Set up ${SOURCE_NAMES[kind]} first (step 1, Settings).`,
  );
}

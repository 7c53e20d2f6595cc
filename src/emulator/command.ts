/**
 * `rollcall emulator`: starts a ClassLink emulator and says, in a few plain lines, how to
 * point Rollcall (or anything else) at it. The CLI parses flags and calls this.
 */
import { loadCsvDistrict } from '../csv/index.ts';
import { startEmulator } from './server.ts';
import type { DistrictData } from '../domain/district.ts';
import type { EmulatorOptions, RunningEmulator } from './types.ts';

/** Options of `rollcall emulator`. */
export interface EmulatorCommandOptions {
  /** Students of the generated district (ignored with fromCsv). */
  students: number;
  /** Seed of the generated district. */
  seed: string;
  /** Port to listen on (0 picks a free one). */
  port: number;
  /** Wire flavour (default classlink). */
  mode?: 'classlink' | 'strict';
  /** Serve this OneRoster CSV package (.zip or folder) instead of a generated district. */
  fromCsv?: string;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
}

/** Starts the emulator and prints where it is and the credentials it accepts. */
export async function runEmulatorCommand(opts: EmulatorCommandOptions, out: NodeJS.WritableStream): Promise<RunningEmulator> {
  let district: EmulatorOptions['district'] = { students: opts.students, seed: opts.seed };
  let source = `a generated district of ${opts.students.toLocaleString('en-US')} students (seed "${opts.seed}")`;
  if (opts.fromCsv) {
    const loaded = await loadCsvDistrict(opts.fromCsv);
    district = loaded.data;
    source = describeCsv(opts.fromCsv, loaded.data, loaded.malformed.length, loaded.warnings.length);
  }
  const emulator = await startEmulator({
    district,
    port: opts.port,
    mode: opts.mode ?? 'classlink',
    ...(opts.host ? { host: opts.host } : {}),
  });
  out.write(describe(emulator, source, opts.mode ?? 'classlink'));
  return emulator;
}

function describeCsv(path: string, data: DistrictData, malformed: number, warnings: number): string {
  const notes = [malformed > 0 ? `${malformed} malformed rows skipped` : '', warnings > 0 ? `${warnings} warnings` : '']
    .filter((n) => n !== '')
    .join(', ');
  return `the OneRoster CSV package ${path} (${data.users.length} users${notes ? `; ${notes}` : ''})`;
}

/** The lines printed on start. */
function describe(emulator: RunningEmulator, source: string, mode: string): string {
  const c = emulator.credentials;
  const sso = emulator.sso;
  const pending = emulator.tenants.find((t) => !t.approved);
  const lines = [
    `ClassLink emulator listening on ${emulator.url} (${mode} mode), serving ${source}.`,
    `  Tenant ID:            ${c.tenantId}`,
    `  Partner API key:      ${c.partnerKey}   (GET ${emulator.url}/applications)`,
    `  Roster Server URL:    ${emulator.url}   (OneRoster 1.1 under /ims/oneroster/v1p1)`,
    `  Client ID / secret:   ${c.clientId} / ${c.clientSecret}   (OAuth 1.0a)`,
    `  Proxy app ID / token: ${c.appId} / ${c.bearerToken}   (${emulator.url}/${c.appId}/ims/oneroster/v1p1/…)`,
    ...(pending ? [`  A tenant that has not approved the app: ${pending.tenantId}`] : []),
    `  SSO issuer:           ${sso.issuer}   (OpenID discovery at /.well-known/openid-configuration)`,
    `  SSO client / secret:  ${sso.clientId} / ${sso.clientSecret}`,
    `  SSO redirect URIs:    ${sso.redirectUris.join(', ')}`,
    `  SSO user info:        ${sso.apiUrl}/v2/my/info`,
    `  LaunchPad launch:     ${sso.launchpadUrl}/launchpad/launch?client_id=${sso.clientId}&user=<sourcedId>`,
    `  OneRoster 1.2 URL:    ${emulator.oauth2.v1p2Url}   (the same district, OAuth 2 Bearer)`,
    `  OAuth 2 client:       ${emulator.oauth2.clientId} / ${emulator.oauth2.clientSecret}   (client credentials, token URL ${emulator.oauth2.tokenUrl}; its tokens also open /ims/oneroster/v1p1)`,
    '',
    'Point Rollcall at it with one of:',
    `  ROLLCALL_CLASSLINK_PARTNER_URL=${emulator.url} ROLLCALL_CLASSLINK_PARTNER_KEY=${c.partnerKey} rollcall classlink configure --tenant-id ${c.tenantId}`,
    `  rollcall classlink configure --roster-url ${emulator.url} --client-id ${c.clientId} --client-secret ${c.clientSecret}`,
    `  rollcall classlink configure --roster-url ${emulator.url}/${c.appId} --bearer ${c.bearerToken}`,
    `  rollcall oneroster configure --base-url ${emulator.url} --version 1.2 --client-id ${emulator.oauth2.clientId} --client-secret ${emulator.oauth2.clientSecret} --token-url ${emulator.oauth2.tokenUrl}`,
    'and, for sign-in with ClassLink:',
    `  ROLLCALL_CLASSLINK_LAUNCHPAD_URL=${sso.launchpadUrl} ROLLCALL_CLASSLINK_API_URL=${sso.apiUrl} ROLLCALL_SSO_CLIENT_ID=${sso.clientId} ROLLCALL_SSO_CLIENT_SECRET=${sso.clientSecret}`,
    '',
    `Faults and roster changes: POST JSON to ${emulator.url}/_emulator/faults or /_emulator/mutate with "Authorization: Bearer <partner key>".`,
    'Sign-in: POST /_emulator/sso/faults, /_emulator/sso/redirect-uris ({"redirectUri": …}) or /_emulator/sso/next-user ({"sourcedId": …}), the same way.',
    'Press Ctrl+C to stop.',
    '',
  ];
  return lines.join('\n');
}

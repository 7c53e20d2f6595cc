/**
 * The emulator as a generic OneRoster server, beside ClassLink's 1.1: the district served
 * again as OneRoster 1.2 under `/ims/oneroster/rostering/v1p2`, an OAuth 2 client credentials
 * token endpoint (`/oauth/token`), and Bearer tokens from it accepted on the 1.2 paths and on
 * the 1.1 direct path (many 1.1 servers use OAuth 2 too). server.ts routes requests here; faults
 * and paging are shared with the 1.1 routes.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { District } from './district-model.ts';
import type { Reply } from './http-io.ts';
import { ALL_ROSTER_SCOPES, DEFAULT_TOKEN_TTL_SECONDS, OAuth2Tokens, readForm, TOKEN_PATH } from './oauth2-tokens.ts';
import { matchRoute, RosterApi } from './roster-api.ts';
import type { EmulatorOAuth2Options, RunningOAuth2 } from './types.ts';
import { toWireV1p2, V1P2_ROSTER_PATH, type V1p2Context } from './v1p2-wire.ts';

export { TOKEN_PATH } from './oauth2-tokens.ts';

/** The generic OneRoster side of one emulator. */
export interface OneRosterSide {
  /** The 1.2 read API. */
  api: RosterApi;
  /** The part of a 1.2 path after its base (`/users`), or null for another path. */
  v1p2Rest(rawPath: string): string | null;
  /** Answers the token endpoint. */
  tokenReply(req: IncomingMessage): Promise<Reply>;
  /** Checks a Bearer token on a roster path (`rest` after the version's base); null when let in. */
  refuse(authorization: string | undefined, version: '1.1' | '1.2', rest: string): Reply | null;
  /** What RunningEmulator shows. */
  view: RunningOAuth2;
}

/** Builds the side: tokens for one client, and the 1.2 API over the district. */
export function oneRosterSide(district: District, url: string, options: EmulatorOAuth2Options, now: () => Date): OneRosterSide {
  const client = {
    clientId: options.clientId ?? `or-client-${randomBytes(6).toString('hex')}`,
    clientSecret: options.clientSecret ?? randomBytes(18).toString('base64url'),
    grantedScopes: [...(options.grantedScopes ?? ALL_ROSTER_SCOPES)],
  };
  const tokens = new OAuth2Tokens(client, options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS, now);
  let v1p2Requests = 0;
  const context: Pick<V1p2Context, 'orgType'> = { orgType: (id) => district.tables.orgs.get(id)?.type };
  const api = new RosterApi(
    district,
    'classlink',
    `${url}${V1P2_ROSTER_PATH}`,
    (c, r, ctx) => toWireV1p2(c, r, ctx as V1p2Context),
    context,
  );
  return {
    api,
    v1p2Rest: (rawPath) =>
      rawPath === V1P2_ROSTER_PATH || rawPath.startsWith(`${V1P2_ROSTER_PATH}/`) ? rawPath.slice(V1P2_ROSTER_PATH.length) : null,
    tokenReply: async (req) =>
      tokens.tokenReply(
        req.method ?? 'GET',
        req.headers.authorization,
        req.method === 'POST' ? await readForm(req) : new URLSearchParams(),
      ),
    refuse: (authorization, version, rest) => {
      if (version === '1.2') v1p2Requests++;
      return tokens.refuse(authorization, version, matchRoute(rest)?.collection ?? null);
    },
    view: {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      tokenUrl: `${url}${TOKEN_PATH}`,
      grantedScopes: [...client.grantedScopes],
      v1p2Url: `${url}${V1P2_ROSTER_PATH}`,
      revokeTokens: () => tokens.revokeAll(),
      tokenRequests: () => tokens.requests,
      v1p2Requests: () => v1p2Requests,
    },
  };
}

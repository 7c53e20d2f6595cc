/**
 * The emulated ClassLink sign-in (CLASSLINK.md §2): OpenID discovery, `/oauth2/v2/auth` with a
 * "sign in as" page, `/oauth2/v2/token`, the JWKS, RS256 id_tokens, `/v2/my/info` and
 * `/v2/my/profileinfo` on the API host, LaunchPad launches (a `code` and no `state`), faults,
 * and the `/_emulator/sso/…` control endpoints. Requests arrive from server.ts; answers are
 * Reply values.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { RosterUser } from '../domain/roster.ts';
import { scopeRows, type District } from './district-model.ts';
import { bearerOf, type Reply } from './http-io.ts';
import { classLinkRole, ssoIdentity, type SsoIdentity } from './sso-identity.ts';
import { CODE_TTL_SECONDS, SsoGrants, type AuthRequest } from './sso-grants.ts';
import { ID_TOKEN_ALG, SsoKeys } from './sso-keys.ts';
import { errorPage, pickerPage, type PickerUser } from './sso-page.ts';
import { presentedClient, readAuthRequest, redirectWith, secretMatches, SSO_SCOPES } from './sso-requests.ts';
import type { EmulatorSsoOptions, RunningSso, SsoClient, SsoFaults } from './types.ts';

/** The redirect URI of the default client: Rollcall's ClassLink callback at its default public URL. */
export const DEFAULT_SSO_REDIRECT_URI = 'http://localhost:3000/sso/classlink/callback';
/** How long id_tokens live (ClassLink does not say; an hour is common). */
const ID_TOKEN_TTL_SECONDS = 60 * 60;
/** The issuer the wrong-issuer fault puts in id_tokens: ClassLink's login host, which is not the issuer (CLASSLINK.md §2.4). */
const WRONG_ISSUER = 'https://login.classlink.com';
/** The audience the wrong-audience fault puts in id_tokens. */
const WRONG_AUDIENCE = 'another-classlink-app';
/** Users offered per role on the picker page. */
const PICKER_PER_ROLE = { student: 25, teacher: 10, admin: 10 } as const;
/** Users scanned for administrators (they have no scope of their own). */
const ADMIN_SCAN_LIMIT = 50_000;
/** Largest form body read (a token request is a few hundred bytes). */
const MAX_FORM_BYTES = 64 * 1024;

/** Where the endpoints sit, relative to the LaunchPad and API bases. */
const LAUNCHPAD_ROUTES = {
  '/.well-known/openid-configuration': 'discovery',
  '/oauth2/v2/auth': 'auth',
  '/oauth2/v2/auth/select': 'select',
  '/oauth2/v2/auth/deny': 'deny',
  '/oauth2/v2/token': 'token',
  '/oauth2/v2/jwks': 'jwks',
  '/launchpad/launch': 'launch',
} as const;
const API_ROUTES = { '/v2/my/info': 'myInfo', '/v2/my/profileinfo': 'profileInfo' } as const;

/** An SSO endpoint. */
export type SsoRoute = (typeof LAUNCHPAD_ROUTES)[keyof typeof LAUNCHPAD_ROUTES] | (typeof API_ROUTES)[keyof typeof API_ROUTES];

/** What the sign-in needs from the rest of the emulator. */
export interface SsoContext {
  /** The served district (users, orgs). */
  district: District;
  /** The main tenant's id: the TenantId users report. */
  tenantId: number;
  /** The district's name. */
  tenantName: string;
  /** The emulator's listening URL. */
  url: string;
  /** The emulator's clock. */
  now: () => Date;
}

/** Sign-in faults as JSON (`POST /_emulator/sso/faults`). */
export const SSO_FAULTS_SCHEMA = z
  .object({
    tenantId: z.number().int().nonnegative(),
    idToken: z.enum(['wrongAudience', 'wrongIssuer', 'badSignature', 'expired']),
    myInfoStatus: z.number().int().min(400).max(599),
    codeTtlSeconds: z.number().int().nonnegative(),
  })
  .partial()
  .strict();

const REDIRECT_URI_BODY = z.object({ redirectUri: z.url(), clientId: z.string().min(1).optional() }).strict();
const NEXT_USER_BODY = z.object({ sourcedId: z.string().min(1) }).strict();

/** A random lower-case hex string of n bytes. */
function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A path prefix as given ('' or '/x/y'), without a trailing slash. */
function prefix(path: string | undefined): string {
  const p = (path ?? '').replace(/\/+$/, '');
  return p === '' || p.startsWith('/') ? p : `/${p}`;
}

/** The registered clients: the given ones (missing fields made up) or one default client. */
export function buildClients(given: Partial<SsoClient>[] | undefined): SsoClient[] {
  const list = given && given.length > 0 ? given : [{}];
  return list.map((c) => ({
    // ClassLink client ids look like "c" followed by hex.
    clientId: c.clientId ?? `c${hex(16)}`,
    clientSecret: c.clientSecret ?? hex(24),
    redirectUris: [...(c.redirectUris ?? [DEFAULT_SSO_REDIRECT_URI])],
  }));
}

/** One emulator's ClassLink sign-in. */
export class SsoServer {
  private readonly clients: SsoClient[];
  private readonly grants: SsoGrants;
  private readonly keys = new SsoKeys();
  private readonly launchpadPath: string;
  private readonly apiPath: string;
  private readonly launchpadUrl: string;
  private readonly apiUrl: string;
  private faults: SsoFaults;
  private nextUser: string | undefined;

  constructor(
    options: EmulatorSsoOptions,
    private readonly ctx: SsoContext,
  ) {
    this.clients = buildClients(options.clients);
    this.grants = new SsoGrants(ctx.now);
    this.faults = { ...options.faults };
    this.launchpadPath = prefix(options.launchpadPath);
    this.apiPath = prefix(options.apiPath);
    const base = (options.publicUrl ?? ctx.url).replace(/\/+$/, '');
    this.launchpadUrl = base + this.launchpadPath;
    this.apiUrl = base + this.apiPath;
  }

  /** The endpoint a path names, or undefined when it is not a sign-in path. */
  route(rawPath: string): SsoRoute | undefined {
    const under = (base: string) => (base === '' ? rawPath : rawPath.startsWith(`${base}/`) ? rawPath.slice(base.length) : undefined);
    const lp = under(this.launchpadPath);
    if (lp !== undefined && Object.hasOwn(LAUNCHPAD_ROUTES, lp)) return LAUNCHPAD_ROUTES[lp as keyof typeof LAUNCHPAD_ROUTES];
    const api = under(this.apiPath);
    if (api !== undefined && Object.hasOwn(API_ROUTES, api)) return API_ROUTES[api as keyof typeof API_ROUTES];
    return undefined;
  }

  /** Answers a request to a sign-in endpoint. */
  async reply(route: SsoRoute, req: IncomingMessage, params: URLSearchParams): Promise<Reply> {
    const method = req.method ?? 'GET';
    const post = route === 'token' || route === 'deny';
    if (post ? method !== 'POST' : method !== 'GET') {
      const allow = post ? 'POST' : 'GET';
      return { status: 405, headers: { Allow: allow }, body: { error: 'invalid_request', error_description: `Use ${allow}.` } };
    }
    switch (route) {
      case 'discovery':
        return { status: 200, body: this.discovery() };
      case 'jwks':
        return { status: 200, body: await this.keys.jwks() };
      case 'auth':
        return this.authorize(params);
      case 'select':
        return this.select(params);
      case 'deny':
        return this.deny(await readForm(req));
      case 'launch':
        return this.launch(params);
      case 'token':
        return this.token(req, await readForm(req), params);
      case 'myInfo':
      case 'profileInfo':
        return this.myEndpoint(route, req.headers.authorization);
    }
  }

  /** Answers `POST /_emulator/sso/<what>` (the partner key has been checked). */
  control(what: string, body: unknown): Reply {
    if (what === 'faults') {
      const faults = SSO_FAULTS_SCHEMA.safeParse(body);
      if (!faults.success) return badBody(faults.error);
      this.setFaults(faults.data as SsoFaults);
      return { status: 200, body: { ok: true } };
    }
    if (what === 'redirect-uris') {
      const given = REDIRECT_URI_BODY.safeParse(body);
      if (!given.success) return badBody(given.error);
      const client = this.client(given.data.clientId);
      if (!client) return { status: 404, body: { ok: false, message: `There is no client ${given.data.clientId}.` } };
      this.addRedirectUri(given.data.redirectUri, client.clientId);
      return { status: 200, body: { ok: true, clientId: client.clientId, redirectUris: [...client.redirectUris] } };
    }
    if (what === 'next-user') {
      const given = NEXT_USER_BODY.safeParse(body);
      if (!given.success) return badBody(given.error);
      if (!this.user(given.data.sourcedId))
        return { status: 404, body: { ok: false, message: `There is no user ${given.data.sourcedId}.` } };
      this.nextUser = given.data.sourcedId;
      return { status: 200, body: { ok: true } };
    }
    return {
      status: 404,
      body: {
        ok: false,
        message: 'Unknown control endpoint (use /_emulator/sso/faults, /_emulator/sso/redirect-uris or /_emulator/sso/next-user).',
      },
    };
  }

  /** The view a RunningEmulator exposes. */
  view(): RunningSso {
    const self = this;
    const first = this.clients[0]!;
    return {
      issuer: this.launchpadUrl,
      launchpadUrl: this.launchpadUrl,
      apiUrl: this.apiUrl,
      clientId: first.clientId,
      clientSecret: first.clientSecret,
      get redirectUris() {
        return [...first.redirectUris];
      },
      tenantId: this.ctx.tenantId,
      get clients() {
        return self.clients.map((c) => ({ ...c, redirectUris: [...c.redirectUris] }));
      },
      addRedirectUri: (redirectUri, clientId) => this.addRedirectUri(redirectUri, clientId),
      setFaults: (faults) => this.setFaults(faults),
      signInNextAs: (sourcedId) => {
        if (!this.user(sourcedId)) throw new Error(`The emulated district has no user ${sourcedId}.`);
        this.nextUser = sourcedId;
      },
      launchUrl: (sourcedId, opts = {}) => {
        const q = new URLSearchParams({ client_id: opts.clientId ?? first.clientId, user: sourcedId });
        if (opts.redirectUri) q.set('redirect_uri', opts.redirectUri);
        return `${this.launchpadUrl}/launchpad/launch?${q.toString()}`;
      },
    };
  }

  private setFaults(faults: SsoFaults): void {
    this.faults = { ...faults };
  }

  private addRedirectUri(redirectUri: string, clientId?: string): void {
    const client = this.client(clientId);
    if (!client) throw new Error(`The emulator has no SSO client ${clientId}.`);
    // Parsed only to refuse what is not a URL: the string is kept exactly, as matching is exact.
    new URL(redirectUri);
    if (!client.redirectUris.includes(redirectUri)) client.redirectUris.push(redirectUri);
  }

  private client(clientId: string | undefined): SsoClient | undefined {
    return clientId === undefined ? this.clients[0] : this.clients.find((c) => c.clientId === clientId);
  }

  /**
   * A user who can sign in: any user of the roster, and one removed from the feed since (a
   * ClassLink account outlives the roster record, which is how a transferred student still
   * reaches an app).
   */
  private user(sourcedId: string): RosterUser | undefined {
    const users = this.ctx.district.tables.users;
    const now = users.get(sourcedId);
    if (now) return now;
    const i = users.base.indexOf(sourcedId);
    return i >= 0 ? users.base.record(i) : undefined;
  }

  private identity(user: RosterUser): SsoIdentity {
    const orgs = this.ctx.district.tables.orgs;
    return ssoIdentity(user, {
      tenantId: this.faults.tenantId ?? this.ctx.tenantId,
      tenantName: this.ctx.tenantName,
      orgName: (id) => orgs.get(id)?.name ?? '',
      now: this.ctx.now(),
    });
  }

  private discovery(): Record<string, unknown> {
    const lp = this.launchpadUrl;
    return {
      issuer: lp,
      authorization_endpoint: `${lp}/oauth2/v2/auth`,
      token_endpoint: `${lp}/oauth2/v2/token`,
      userinfo_endpoint: `${this.apiUrl}/v2/my/profileinfo`,
      jwks_uri: `${lp}/oauth2/v2/jwks`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [ID_TOKEN_ALG],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      scopes_supported: [...SSO_SCOPES],
      code_challenge_methods_supported: ['S256'],
      claims_supported: [
        'iss',
        'sub',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'nonce',
        'name',
        'given_name',
        'family_name',
        'middle_name',
        'preferred_username',
        'email',
        'email_verified',
        'profile',
        'address',
        'classLink_tenant_id',
        'classLink_tenant_id_string',
        'classLink_role',
        'classLink_role_level',
        'classLink_sourcedId',
        'classLink_org_sourcedids',
      ],
    };
  }

  private authorize(params: URLSearchParams): Reply {
    const read = readAuthRequest(params, this.clients);
    if (read.kind === 'page') return htmlReply(400, errorPage(read.message));
    if (read.kind === 'redirect') {
      return redirect(redirectWith(read.redirectUri, { error: read.error, error_description: read.description, state: read.state }));
    }
    // A preset user (tests) wins over login_hint (the app's suggestion).
    const preset = this.takeNextUser();
    if (preset) return this.answer(read.request, preset);
    const hint = params.get('login_hint');
    if (hint !== null && hint !== '') {
      if (!this.user(hint)) return htmlReply(400, errorPage(`login_hint ${hint} names no user of the district.`));
      return this.answer(read.request, hint);
    }
    return this.picker(read.request);
  }

  private launch(params: URLSearchParams): Reply {
    const clientId = params.get('client_id') ?? '';
    const client = this.clients.find((c) => c.clientId === clientId);
    if (!client) return htmlReply(400, errorPage(clientId ? `There is no app with client_id ${clientId}.` : 'client_id is missing.'));
    const asked = params.get('redirect_uri');
    if (asked !== null && !client.redirectUris.includes(asked)) {
      return htmlReply(400, errorPage(`redirect_uri ${asked} is not registered for this app.`));
    }
    // The most recently registered URI: the web app registers its own once it knows its port.
    const redirectUri = asked ?? client.redirectUris.at(-1);
    if (redirectUri === undefined) return htmlReply(400, errorPage('The app has no redirect URI registered.'));
    const request: AuthRequest = { clientId, redirectUri, scopes: ['openid', 'profile'], launch: true };
    const user = params.get('user');
    if (user !== null && user !== '') {
      if (!this.user(user)) return htmlReply(400, errorPage(`There is no user ${user} in the district.`));
      return this.answer(request, user);
    }
    const preset = this.takeNextUser();
    return preset ? this.answer(request, preset) : this.picker(request);
  }

  private select(params: URLSearchParams): Reply {
    const sourcedId = params.get('user') ?? '';
    if (!this.user(sourcedId)) return htmlReply(400, errorPage(`There is no user ${sourcedId || '(none given)'} in the district.`));
    const request = this.grants.takeRequest(params.get('request') ?? '');
    if (!request) return htmlReply(400, errorPage('This sign-in page has expired or was already used: start again from the app.'));
    return this.answer(request, sourcedId);
  }

  private deny(form: URLSearchParams): Reply {
    const request = this.grants.takeRequest(form.get('request') ?? '');
    if (!request) return htmlReply(400, errorPage('This sign-in page has expired or was already used: start again from the app.'));
    return redirect(redirectWith(request.redirectUri, { error: 'access_denied', state: request.launch ? undefined : request.state }));
  }

  /** Sends the browser back to the app with a code (and the state, unless it is a launch). */
  private answer(request: AuthRequest, sourcedId: string): Reply {
    const code = this.grants.issueCode(request, sourcedId);
    return redirect(redirectWith(request.redirectUri, { code, response_type: 'code', state: request.launch ? undefined : request.state }));
  }

  private takeNextUser(): string | undefined {
    const next = this.nextUser;
    this.nextUser = undefined;
    return next;
  }

  private picker(request: AuthRequest): Reply {
    const requestId = this.grants.openRequest(request);
    return htmlReply(
      200,
      pickerPage({
        tenantName: this.ctx.tenantName,
        clientId: request.clientId,
        requestId,
        selectPath: `${this.launchpadPath}/oauth2/v2/auth/select`,
        denyPath: `${this.launchpadPath}/oauth2/v2/auth/deny`,
        users: this.pickerUsers(),
      }),
    );
  }

  /** Some active students, teachers and administrators, in sourcedId order. */
  private pickerUsers(): PickerUser[] {
    const { district } = this.ctx;
    const users = district.tables.users;
    const orgs = district.tables.orgs;
    const out: RosterUser[] = [];
    const take = (kind: 'students' | 'teachers', n: number) => {
      const rows = scopeRows(district, kind, '');
      for (let k = 0, taken = 0; k < rows.length && taken < n; k++) {
        const u = users.record(rows.at(k));
        if (u.status === 'active') {
          out.push(u);
          taken++;
        }
      }
    };
    take('students', PICKER_PER_ROLE.student);
    take('teachers', PICKER_PER_ROLE.teacher);
    const all = users.order();
    for (let k = 0, taken = 0; k < Math.min(all.length, ADMIN_SCAN_LIMIT) && taken < PICKER_PER_ROLE.admin; k++) {
      const u = users.record(all.at(k));
      if (u.status === 'active' && classLinkRole(u.role).name === 'Tenant Administrator') {
        out.push(u);
        taken++;
      }
    }
    return out.map((u) => ({
      sourcedId: u.sourcedId,
      name: `${u.givenName} ${u.familyName}`.trim(),
      role: classLinkRole(u.role).name,
      school: orgs.get(u.orgSourcedIds[0] ?? '')?.name ?? '',
    }));
  }

  private async token(req: IncomingMessage, body: URLSearchParams, query: URLSearchParams): Promise<Reply> {
    // Some clients send the parameters in the query string (CLASSLINK.md §2.1); the body wins.
    const form = new URLSearchParams(query);
    for (const [k, v] of body) form.set(k, v);
    const presented = presentedClient(req.headers.authorization, form);
    if (typeof presented === 'string') return tokenError(400, 'invalid_request', presented);
    const client = this.clients.find((c) => c.clientId === presented.clientId);
    if (!client || !secretMatches(presented.clientSecret, client.clientSecret)) {
      const refused = tokenError(401, 'invalid_client', 'Client authentication failed.');
      // RFC 6749 §5.2: a failed Basic authentication is answered with a Basic challenge.
      if (presented.method === 'client_secret_basic')
        refused.headers = { ...refused.headers, 'WWW-Authenticate': 'Basic realm="ClassLink"' };
      return refused;
    }
    const grantType = form.get('grant_type');
    if (grantType !== null && grantType !== 'authorization_code') {
      return tokenError(400, 'unsupported_grant_type', 'Only authorization_code is supported.');
    }
    const code = form.get('code');
    if (!code) return tokenError(400, 'invalid_request', 'code is missing.');
    const redirectUri = form.get('redirect_uri');
    const verifier = form.get('code_verifier');
    const redeemed = this.grants.redeemCode(code, {
      clientId: client.clientId,
      ttlSeconds: this.faults.codeTtlSeconds ?? CODE_TTL_SECONDS,
      ...(redirectUri !== null ? { redirectUri } : {}),
      ...(verifier !== null ? { codeVerifier: verifier } : {}),
    });
    if ('error' in redeemed) return tokenError(400, redeemed.error, redeemed.description);
    const user = this.user(redeemed.sourcedId);
    if (!user) return tokenError(400, 'invalid_grant', 'The user of this code no longer exists.');
    const identity = this.identity(user);
    const idToken = await this.idToken(identity, client.clientId, redeemed.request.nonce, redeemed.authTime);
    const access = this.grants.issueAccessToken(code, redeemed);
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
      body: {
        access_token: access.accessToken,
        token_type: 'Bearer',
        response_type: 'code',
        id_token: idToken,
        expires_in: access.expiresIn,
      },
    };
  }

  private async idToken(identity: SsoIdentity, clientId: string, nonce: string | undefined, authTimeMs: number): Promise<string> {
    const fault = this.faults.idToken;
    const now = Math.floor(this.ctx.now().getTime() / 1000);
    const iat = fault === 'expired' ? now - 2 * ID_TOKEN_TTL_SECONDS : now;
    return this.keys.sign(
      {
        iss: fault === 'wrongIssuer' ? WRONG_ISSUER : this.launchpadUrl,
        sub: String(identity.userId),
        aud: fault === 'wrongAudience' ? WRONG_AUDIENCE : clientId,
        exp: iat + ID_TOKEN_TTL_SECONDS,
        iat,
        auth_time: Math.floor(authTimeMs / 1000),
        ...(nonce !== undefined ? { nonce } : {}),
        ...identity.claims,
      },
      fault === 'badSignature',
    );
  }

  private myEndpoint(route: 'myInfo' | 'profileInfo', authorization: string | undefined): Reply {
    const grant = this.grants.accessGrant(bearerOf(authorization) ?? '');
    if (!grant) {
      return {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
        body: { status: 401, message: 'Unauthorized: the access token is missing, unknown or expired.' },
      };
    }
    if (route === 'myInfo' && this.faults.myInfoStatus !== undefined) {
      const status = this.faults.myInfoStatus;
      return { status, body: { status, message: `Emulated failure (${status}).` } };
    }
    const user = this.user(grant.sourcedId);
    if (!user) return { status: 404, body: { status: 404, message: 'The user no longer exists.' } };
    const identity = this.identity(user);
    return { status: 200, body: route === 'myInfo' ? identity.myInfo : identity.profileInfo };
  }
}

/** An HTML reply. */
function htmlReply(status: number, html: string): Reply {
  return { status, html: true, body: html, headers: { 'Cache-Control': 'no-store' } };
}

/** A 302 to a URL. */
function redirect(location: string): Reply {
  return { status: 302, html: true, body: '', headers: { Location: location, 'Cache-Control': 'no-store' } };
}

/** An OAuth token-endpoint error (RFC 6749 §5.2). */
function tokenError(status: number, error: string, description: string): Reply {
  return { status, headers: { 'Cache-Control': 'no-store' }, body: { error, error_description: description } };
}

function badBody(error: z.ZodError): Reply {
  const detail = error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return { status: 400, body: { ok: false, message: `The request body is not valid: ${detail}` } };
}

/** Reads an `application/x-www-form-urlencoded` body (empty when too large). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return new URLSearchParams();
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The ClassLink emulator's HTTP server (SPEC §7): the OneRoster 1.1 Roster Server (direct,
 * OAuth 1.0a) and proxy (`/{appId}/ims/oneroster/v1p1/…`, Bearer), the partner API, switchable
 * faults and control endpoints, and ClassLink sign-in (sso.ts); beside ClassLink, a generic
 * OneRoster 1.2 server with OAuth 2 client credentials (v1p2-side.ts). Plain node:http: it
 * stands in for the outside world.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { oneLine, RollcallError } from '../domain/errors.ts';
import { CONTROL_PATH, controlReply } from './control-api.ts';
import { dataDistrict } from './data-district.ts';
import type { District } from './district-model.ts';
import { decideFault, type FaultAction } from './faults.ts';
import { generateDistrict } from './generated-district.ts';
import { encodeReply, gatewayError, imsxError, readJson, send, type Reply } from './http-io.ts';
import { districtMutations } from './mutations.ts';
import { OAuth1Verifier } from './oauth1-verify.ts';
import { buildTenants, mainCredentials, partnerReply } from './partner-api.ts';
import { matchRoute, ROSTER_PATH, RosterApi } from './roster-api.ts';
import { refuseRosterRequest, type RosterAuth } from './roster-auth.ts';
import { SsoServer } from './sso.ts';
import { oneRosterSide, TOKEN_PATH } from './v1p2-side.ts';
import type { DistrictData } from '../domain/district.ts';
import type { DistrictOptions, EmulatorOptions, Faults, RunningEmulator } from './types.ts';

/** OAuth 1.0a timestamps may be this far from the clock by default (seconds). */
const DEFAULT_MAX_SKEW_SECONDS = 300;
/** The district served when none is given. */
const DEFAULT_DISTRICT: DistrictOptions = { students: 100, seed: 1 };
/** Proxy paths: `/{appId}/ims/oneroster/v1p1/…`, optionally behind ClassLink's newer `/proxy/v1p0` prefix. */
const PROXY_PATH = /^(?:\/proxy\/v1p0)?\/([^/]+)(\/ims\/oneroster\/v1p1(?:\/.*)?)$/;

/** The key the wrong-envelope fault puts records under instead of the collection's. */
const MISPLACED_KEY = 'results';

/** Whether the district option is given data rather than generator options. */
function isDistrictData(d: DistrictOptions | DistrictData): d is DistrictData {
  return Array.isArray((d as DistrictData).users);
}

/** Starts an emulator on loopback (by default) and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? (() => new Date());
  const given = options.district ?? DEFAULT_DISTRICT;
  const district: District = isDistrictData(given) ? dataDistrict(given, now()) : generateDistrict(given);
  const credentials = mainCredentials(options.credentials);
  const mode = options.mode ?? 'classlink';
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${host}:${options.port ?? 0}`;
      const why = e.code === 'EADDRINUSE' ? 'the port is already in use' : e.code === 'EACCES' ? 'permission denied' : e.message;
      reject(new RollcallError('usage', `The emulator cannot listen on ${where} (${why}): choose another port or address.`, { cause: e }));
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const tenants = buildTenants(credentials, districtName(district), options);
  const api = new RosterApi(district, mode, `${url}${ROSTER_PATH}`);
  const verifier = new OAuth1Verifier({
    secretOf: (key) => tenants.find((t) => t.clientId === key)?.clientSecret,
    maxClockSkewSeconds: options.maxClockSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS,
    now,
  });
  const auth: RosterAuth = { tenants, verifier, fallbackHost: `${host}:${port}` };
  const mutate = districtMutations(district, now);
  const sso = new SsoServer(options.sso ?? {}, { district, tenantId: credentials.tenantId, tenantName: tenants[0]!.tenantName, url, now });
  // The generic OneRoster server: 1.2 and OAuth 2 client credentials (v1p2-side.ts).
  const generic = oneRosterSide(district, url, options.oauth2 ?? {}, now);
  let faults: Faults = options.faults ?? {};
  let faultCount = 0;
  let requests = 0;
  const setFaults = (next: Faults) => {
    faults = { ...next };
    faultCount = 0;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const params = new URLSearchParams(rawQuery);
    if (rawPath.startsWith(CONTROL_PATH)) {
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      return send(
        res,
        controlReply(req.method ?? 'GET', rawPath, req.headers.authorization, body, {
          partnerKey: credentials.partnerKey,
          setFaults,
          mutate,
          sso,
        }),
      );
    }
    if (rawPath === '/applications' || rawPath.startsWith('/applications/')) {
      return send(res, partnerReply(rawPath, params, req.headers.authorization, tenants, credentials.partnerKey, url));
    }
    const ssoRoute = sso.route(rawPath);
    if (ssoRoute) return send(res, await sso.reply(ssoRoute, req, params));
    if (rawPath === TOKEN_PATH) return send(res, await generic.tokenReply(req));
    let appId: string | null = null;
    let rest: string;
    const v1p2Rest = generic.v1p2Rest(rawPath);
    if (rawPath === ROSTER_PATH || rawPath.startsWith(`${ROSTER_PATH}/`)) {
      rest = rawPath.slice(ROSTER_PATH.length);
    } else if (v1p2Rest !== null) {
      rest = v1p2Rest;
    } else {
      const m = PROXY_PATH.exec(rawPath);
      if (!m) return send(res, { status: 404, body: { message: 'Not found.' } });
      appId = m[1]!;
      rest = m[2]!.slice(ROSTER_PATH.length);
    }
    requests++;
    const action = decideFault(faults, ++faultCount);
    if (action.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action.delayMs > 0) {
      await sleep(action.delayMs);
      // The client may have given up while we waited.
      if (req.socket.destroyed) return;
    }
    if (action.kind === 'status') return send(res, faultStatusReply(action));
    if (req.method !== 'GET')
      return send(res, { ...imsxError(405, 'unsupportedoperation', 'This server is read-only: use GET.'), headers: { Allow: 'GET' } });
    // OAuth 2 Bearer tokens: on 1.2, and on the 1.1 direct path (OAuth 1.0a there otherwise).
    const oauth2 = v1p2Rest !== null || (appId === null && /^\s*Bearer\s/i.test(req.headers.authorization ?? ''));
    const refused = oauth2
      ? generic.refuse(req.headers.authorization, v1p2Rest !== null ? '1.2' : '1.1', rest)
      : refuseRosterRequest(auth, req, rawPath, rawQuery, appId);
    if (refused) return send(res, refused);
    const route = matchRoute(rest);
    if (!route) return send(res, imsxError(404, 'unknownobject', `There is no OneRoster endpoint at ${rest || '/'}.`));
    const selfUrl = new URL(rawUrl, `http://${req.headers.host ?? `${host}:${port}`}`);
    const reply = (v1p2Rest !== null ? generic.api : api).reply(route, params, selfUrl, {
      clampPageSize: action.clampPageSize,
      totalDrift: action.totalDrift,
      ...(action.wrongEnvelope === 'missingKey' ? { envelopeKey: MISPLACED_KEY } : {}),
    });
    sendServed(res, reply, action);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, imsxError(500, 'internal_server_error', `Emulator error: ${oneLine(e)}`));
      else res.destroy();
    });
  });

  return {
    url,
    credentials,
    tenants,
    mutate,
    setFaults,
    requestCount: () => requests,
    sso: sso.view(),
    oauth2: generic.view,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The district org's name (the first org of type district), for the tenant record. */
function districtName(district: District): string {
  const orgs = district.tables.orgs;
  const all = orgs.order();
  for (let k = 0; k < all.length; k++) {
    const org = orgs.record(all.at(k));
    if (org.type === 'district') return org.name;
  }
  return 'School District';
}

/** The reply of a status fault: an HTML page for 5xx (as gateways send), imsx JSON otherwise. */
function faultStatusReply(action: Extract<FaultAction, { kind: 'status' }>): Reply {
  const base =
    action.status >= 500
      ? gatewayError(action.status)
      : imsxError(action.status, action.status === 429 ? 'server_busy' : 'invaliddata', `Emulated failure (${action.status}).`);
  if (action.retryAfterSeconds === undefined) return base;
  return { ...base, headers: { 'Retry-After': String(action.retryAfterSeconds) } };
}

/** Sends a served reply, with the body faults (wrong envelope, truncation) applied to a 200. */
function sendServed(res: ServerResponse, reply: Reply, action: Extract<FaultAction, { kind: 'serve' }>): void {
  if (reply.status !== 200) return send(res, reply);
  let out = reply;
  if (action.wrongEnvelope === 'error') {
    // A 200 carrying a 1.1 error envelope (the statusInfoSet wrapper some servers use).
    const body = { statusInfoSet: [imsxError(500, 'internal_server_error', 'Emulated error envelope.').body] };
    out = { status: 200, body, ...(reply.headers ? { headers: reply.headers } : {}) };
  } else if (action.wrongEnvelope === 'missingKey' && reply.encoded === undefined) {
    // A single record: its envelope key is swapped here (lists were built under the wrong key).
    out = { ...reply, body: { [MISPLACED_KEY]: (reply.body as Record<string, unknown>)[reply.envelopeKey ?? ''] } };
  }
  if (!action.truncate) return send(res, out);
  const bytes = encodeReply(out).bytes;
  send(res, out, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

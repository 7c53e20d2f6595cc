/**
 * Every route module, in the order they register. A module is `(app, deps) => void | Promise`
 * and declares on each route its access (`config: { access: 'admin' }`, see guards.ts) and, for
 * the API, a schema with `tags` and `summary` (it becomes the OpenAPI document).
 */
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../context.ts';
import { authRoutes } from './auth.ts';
import { changeRoutes } from './changes.ts';
import { conflictRoutes } from './conflicts.ts';
import { newPatronsRoutes } from './new-patrons.ts';
import { operationUndoRoutes } from './operation-undo.ts';
import { operationsRoutes } from './operations.ts';
import { patronExportRoutes } from './patron-export.ts';
import { patronImportRoutes } from './patron-import.ts';
import { patronRemovalRoutes } from './patron-removal.ts';
import { patronRoutes } from './patrons.ts';
import { preferencesRoutes } from './preferences.ts';
import { siteRoutes } from './sites.ts';
import { classLinkRoutes } from './sources/classlink.ts';
import { csvRoutes } from './sources/csv.ts';
import { integrationsRoutes } from './sources/list.ts';
import { oneRosterRoutes } from './sources/oneroster.ts';
import { helpRoutes } from './help.ts';
import { scheduleRoutes } from './schedule.ts';
import { ssoRoutes } from './sso.ts';
import { staffRoutes } from './staff.ts';
import { syncRoutes } from './syncs.ts';
import { webhookRoutes } from './webhooks.ts';

/** A route module. */
export type RouteModule = (app: FastifyInstance, deps: WebDeps) => void | Promise<void>;

/** The route modules. */
export const ROUTE_MODULES: RouteModule[] = [
  authRoutes,
  staffRoutes,
  ssoRoutes,
  operationsRoutes,
  operationUndoRoutes,
  classLinkRoutes,
  syncRoutes,
  integrationsRoutes,
  oneRosterRoutes,
  csvRoutes,
  patronRemovalRoutes,
  patronRoutes,
  patronImportRoutes,
  siteRoutes,
  conflictRoutes,
  patronExportRoutes,
  scheduleRoutes,
  helpRoutes,
  changeRoutes,
  webhookRoutes,
  newPatronsRoutes,
  preferencesRoutes,
];

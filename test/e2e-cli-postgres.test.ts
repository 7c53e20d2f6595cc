/**
 * The end-to-end command-line scenario of e2e-cli.test.ts, on PostgreSQL: a file of its own so
 * it runs beside the SQLite one (each engine's run is minutes of child processes).
 */
import { classLinkE2e } from './support/e2e-classlink.ts';
import { e2eScenario } from './support/e2e-scenario.ts';

e2eScenario(classLinkE2e, 'postgres');

// The sources' `rollcall` for the tests of the real process: src/cli/main.ts through tsx, as
// bin/rollcall.js runs it when there is no current build. The tests check the code they sit
// beside, never a dist/ that may be older (test/compiled-build.test.ts checks the build itself).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

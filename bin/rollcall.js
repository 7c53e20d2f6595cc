#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx rollcall` works right after `npm ci`
// with no build step. (Start-up costs ~0.3 s more than compiled JS; a build can come later.)
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

#!/usr/bin/env node
// The `glomo` CLI: loads the TypeScript sources through tsx, then runs src/cli/index.ts.
import { URL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/index.ts', import.meta.url).href);

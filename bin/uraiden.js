#!/usr/bin/env node
// The CLI is written in TypeScript and run through tsx's loader, so the package needs no
// separate compile step for its own sources (contracts and bindings are built by `npm run build`).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

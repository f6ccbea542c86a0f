#!/usr/bin/env node
// Production entry: runs the compiled commands in dist/ (run `npm run build` first; `npm install` does it).
import { execute } from '@oclif/core';
await execute({ dir: import.meta.url });

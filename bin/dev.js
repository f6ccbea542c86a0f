#!/usr/bin/env -S node --import tsx
// Development entry: runs the TypeScript commands in src/ directly (no build). `node --import tsx bin/dev.js <command>`.
import { execute } from '@oclif/core';
await execute({ development: true, dir: import.meta.url });

#!/usr/bin/env node
// `npx simdopt-train`: the training example of `npm start` (TypeScript, run through tsx).
// Needs the wasm binaries: run `npm start` or `bash scripts/setup` once first.
import { register } from 'tsx/esm/api';

register();
await import('../train/main.ts');

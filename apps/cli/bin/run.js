#!/usr/bin/env node
// @oclif/core is bundled into dist: take it from there (one copy, and the fast start-up).
import { execute, settings } from "../dist/main.js";

// Sources are prebuilt: keep oclif from looking for TypeScript at start-up.
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });

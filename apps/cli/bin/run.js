#!/usr/bin/env node
import { execute, settings } from "@oclif/core";

// Sources are prebuilt: keep oclif from looking for TypeScript at start-up.
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });

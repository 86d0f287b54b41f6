/**
 * What bin/run.js runs the CLI with. @oclif/core is bundled into dist (loading it is most of the start-up),
 * so bin/run.js must take execute and settings from this bundle, not from node_modules.
 */
export { execute, settings } from "@oclif/core";

// Read by the CLI's doctor (apps/cli/src/doctor/observe.ts), which judges the same files core reads.
export { describeUnsafeFile, readRegularBytes } from "./bounded-read.js";
export * from "./browser.js";
export * from "./config-files.js";
export { errnoCode } from "./errno.js";
export * from "./lock.js";
export * from "./logout.js";
export * from "./loopback.js";
export * from "./profile-credentials.js";
export * from "./session-status.js";
export * from "./shared-files.js";
export * from "./system.js";
export * from "./token-store.js";
export * from "./transport.js";

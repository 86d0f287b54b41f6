export * from "./browser.js";
export * from "./loopback.js";
export * from "./transport.js";
export * from "./system.js";
export * from "./lock.js";
export * from "./profile-credentials.js";
export * from "./token-store.js";
export * from "./config-files.js";

export * from "./browser.js";
export * from "./loopback.js";
export * from "./transport.js";
export * from "./system.js";

/**
 * Who may call the emulator's `/__emulator/*` control endpoints: a web page the user happens to open must not
 * queue faults or read events (DNS rebinding, cross-site form posts, `fetch` with `no-cors`).
 */
import { headerValue, type IncomingCall } from "./context.js";

/** Why a control call is refused, or undefined when it may go on. `origin` is the emulator's `http://127.0.0.1:PORT`. */
export function controlCallProblem(call: IncomingCall, origin: string): string | undefined {
  const port = new URL(origin).port;
  // A rebound DNS name reaches 127.0.0.1 with its own name in Host: only the loopback names of this port are ours.
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const host = headerValue(call, "host")?.toLowerCase();
  if (host === undefined || !hosts.includes(host)) {
    return `Control endpoints answer only to Host ${hosts.join(", ")}.`;
  }
  const callerOrigin = headerValue(call, "origin");
  if (callerOrigin !== undefined && !hosts.some((h) => callerOrigin.toLowerCase() === `http://${h}`)) {
    return "Control endpoints refuse requests from other web origins.";
  }
  // Another port of 127.0.0.1 is "same-site": it is still someone else's page.
  const site = headerValue(call, "sec-fetch-site")?.toLowerCase();
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return "Control endpoints refuse cross-site requests.";
  }
  // A form can POST text/plain or urlencoded across sites without a preflight; application/json cannot.
  const type = headerValue(call, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (call.method === "POST" && type !== "application/json") {
    return "POST to a control endpoint needs content-type application/json.";
  }
  return undefined;
}

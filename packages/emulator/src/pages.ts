/**
 * The emulator's HTML pages: self-contained (inline CSS, no external resources), usable without
 * JavaScript, and marked as a local emulator so nobody mistakes them for the real AWS sign-in.
 */
import { createHash } from "node:crypto";
import type { Identity } from "./identity.js";

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:"Amazon Ember","Helvetica Neue",Roboto,Arial,sans-serif;font-size:14px;color:#16191f;background:#f2f3f3}
header{background:#232f3e;color:#fff;padding:12px 24px;display:flex;align-items:center;gap:12px}
.logo{font-weight:700;font-size:22px;letter-spacing:-.5px}
.logo span{display:block;height:3px;width:30px;background:#ff9900;border-radius:0 0 6px 6px;margin-top:-2px}
.badge{margin-left:auto;font-size:12px;background:#ff9900;color:#232f3e;padding:2px 8px;border-radius:10px;font-weight:700}
main{max-width:560px;margin:40px auto;padding:0 16px}
.card{background:#fff;border:1px solid #d5dbdb;border-radius:8px;padding:28px 32px;box-shadow:0 1px 3px rgba(0,28,36,.15)}
h1{font-size:24px;font-weight:400;margin:0 0 16px}
h2{font-size:16px;margin:24px 0 8px}
p{line-height:1.5;margin:0 0 12px}
.muted{color:#545b64;font-size:13px}
.mono,code{font-family:Monaco,Menlo,Consolas,"Courier New",monospace;font-size:13px;word-break:break-all}
fieldset{border:0;padding:0;margin:16px 0}
legend{font-weight:700;margin-bottom:8px}
.choice{display:flex;gap:10px;align-items:flex-start;border:1px solid #aab7b8;border-radius:6px;padding:10px 12px;margin-bottom:8px;cursor:pointer}
.choice:hover{border-color:#0073bb}
.choice input{margin-top:3px}
.choice .arn{display:block;color:#545b64}
.actions{display:flex;gap:12px;margin-top:20px}
button{font:inherit;font-weight:700;border-radius:20px;padding:8px 20px;cursor:pointer}
.primary{background:#ff9900;border:1px solid #ff9900;color:#16191f}
.primary:hover{background:#ec7211;border-color:#ec7211}
.secondary{background:#fff;border:1px solid #545b64;color:#545b64}
.error{border-left:4px solid #d13212;background:#fdf3f1;padding:12px 16px;border-radius:4px}
.success{border-left:4px solid #1d8102;background:#f2f8f0;padding:12px 16px;border-radius:4px}
.code-row{display:flex;gap:8px;align-items:center;margin:16px 0}
.code-row code{flex:1;white-space:nowrap;overflow-x:auto;word-break:normal;background:#f2f3f3;border:1px solid #d5dbdb;border-radius:4px;padding:10px 12px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eaeded;vertical-align:top}
footer{text-align:center;color:#687078;font-size:12px;margin:24px 0}
`;

function layout(title: string, body: string, script = ""): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><div class="logo">aws<span></span></div><div>Sign-In</div><div class="badge">Local emulator</div></header>
<main>
${body}
<footer>@awslogin/emulator — a local stand-in for AWS Sign-In. No request leaves this machine.</footer>
</main>
${script}
</body>
</html>
`;
}

function describeIdentity(identity: Identity): string {
  switch (identity.kind) {
    case "assumed-role":
      return `Role ${identity.name}, session ${identity.sessionName}`;
    case "user":
      return `IAM user ${identity.name}`;
    case "root":
      return "Root user";
  }
}

export interface SignInPageInput {
  requestId: string;
  clientId: string;
  redirectUri: string;
  identities: readonly Identity[];
  decisionPath: string;
}

/** The consent page: choose an identity, then Continue or Cancel. Works without JavaScript. */
export function signInPage(input: SignInPageInput): string {
  const choices = input.identities
    .map(
      (identity, index) => `<label class="choice" for="identity-${index}">
<input type="radio" name="identity" id="identity-${index}" data-testid="identity-${index}" value="${escapeHtml(identity.arn)}"${index === 0 ? " checked" : ""}>
<span><strong>${escapeHtml(describeIdentity(identity))}</strong> · account ${escapeHtml(identity.accountId)}<span class="arn mono">${escapeHtml(identity.arn)}</span></span>
</label>`,
    )
    .join("\n");
  const crossDevice = input.clientId.endsWith("/cross-device");
  return layout(
    "Sign in – AWS Sign-In emulator",
    `<div class="card">
<h1>Allow the AWS CLI to use your credentials?</h1>
<p>A command-line tool (<span class="mono">${escapeHtml(input.clientId)}</span>) asks for temporary credentials.
${crossDevice ? "After you continue you will see a code to paste into your terminal." : `After you continue your browser returns to <span class="mono">${escapeHtml(input.redirectUri)}</span>.`}</p>
<form method="post" action="${escapeHtml(input.decisionPath)}" id="signin-form">
<input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}">
<fieldset>
<legend>Sign in as</legend>
${choices}
</fieldset>
<div class="actions">
<button type="submit" class="primary" name="action" value="approve" id="continue" data-testid="continue">Continue</button>
<button type="submit" class="secondary" name="action" value="cancel" id="cancel" data-testid="cancel">Cancel</button>
</div>
</form>
<p class="muted" style="margin-top:16px">Only continue if you started this sign-in yourself.</p>
</div>`,
  );
}

/** A 4xx page: what was wrong, and that nothing was sent anywhere. */
export function errorPage(title: string, problems: readonly string[]): string {
  return layout(
    `${title} – AWS Sign-In emulator`,
    `<div class="card">
<h1>${escapeHtml(title)}</h1>
<div class="error" id="error" data-testid="error">
<ul>
${problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join("\n")}
</ul>
</div>
<p class="muted" style="margin-top:16px">No authorization code was issued and you were not redirected. Start the sign-in again from your terminal.</p>
</div>`,
  );
}

const COPY_SCRIPT_BODY = `(function(){var b=document.getElementById("copy");var c=document.getElementById("verification-code");
if(!b||!c)return;b.addEventListener("click",function(){var t=c.textContent.trim();
function done(){b.textContent="Copied";setTimeout(function(){b.textContent="Copy"},2000)}
function select(){var r=document.createRange();r.selectNodeContents(c);var s=window.getSelection();s.removeAllRanges();s.addRange(r)}
if(navigator.clipboard){navigator.clipboard.writeText(t).then(done,select)}else{select()}});})();`;
const COPY_SCRIPT = `<script>${COPY_SCRIPT_BODY}</script>`;

/** The Content-Security-Policy of every page: nothing external, only the copy button's inline script. */
export const PAGE_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${createHash("sha256").update(COPY_SCRIPT_BODY).digest("base64")}'`,
  "img-src data:",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The cross-device confirmation page: the verification code to paste into the terminal. @see docs/protocol.md §3 */
export function confirmationPage(verificationCode: string): string {
  return layout(
    "Authorization code – AWS Sign-In emulator",
    `<div class="card">
<h1>Your authorization code</h1>
<div class="success">Sign-in complete. Copy the code below and paste it into the terminal that is waiting for it.</div>
<div class="code-row">
<code id="verification-code" data-testid="verification-code">${escapeHtml(verificationCode)}</code>
<button type="button" class="primary" id="copy" data-testid="copy">Copy</button>
</div>
<p class="muted">The code is valid for a few minutes and can be used once. Do not share it.</p>
</div>`,
    COPY_SCRIPT,
  );
}

/** The cross-device page after the person cancelled (or another authorization error). */
export function confirmationErrorPage(error: string, description: string): string {
  return layout(
    "Sign-in not completed – AWS Sign-In emulator",
    `<div class="card">
<h1>Sign-in not completed</h1>
<div class="error" id="error" data-testid="error"><p><strong>${escapeHtml(error)}</strong></p><p>${escapeHtml(description)}</p></div>
<p class="muted" style="margin-top:16px">No code was issued. Run the login command again to retry.</p>
</div>`,
  );
}

/** What the emulated console shows: who is signed in, and where the real console would have gone. */
export interface ConsolePageInput {
  arn: string;
  accountId: string;
  destination: string;
  endsAt: string;
}

/** The emulated AWS console page a federation `login` lands on. @see docs/protocol.md §17.4 */
export function consolePage(input: ConsolePageInput): string {
  return layout(
    "Console – AWS Sign-In emulator",
    `<div class="card">
<h1>Emulated AWS console</h1>
<div class="success">Signed in through the federation endpoint.</div>
<table>
<tr><th>Principal</th><td><code id="principal-arn" data-testid="principal-arn">${escapeHtml(input.arn)}</code></td></tr>
<tr><th>Account</th><td><code id="account-id">${escapeHtml(input.accountId)}</code></td></tr>
<tr><th>Destination</th><td><code id="destination" data-testid="destination">${escapeHtml(input.destination)}</code></td></tr>
<tr><th>Session ends</th><td><code id="session-ends">${escapeHtml(input.endsAt)}</code></td></tr>
</table>
<p class="muted" style="margin-top:16px">The real AWS console would now show the destination above. This emulator never contacts AWS.</p>
</div>`,
  );
}

export interface IndexPageInput {
  url: string;
  region: string;
  identities: readonly Identity[];
  autoApprove: boolean;
  expiresIn: number;
  sessionDuration: number;
}

/** `GET /`: what this emulator is and how to point clients at it. */
export function indexPage(input: IndexPageInput): string {
  const rows = input.identities
    .map(
      (identity, index) =>
        `<tr><td>${index === 0 ? "default" : ""}</td><td class="mono">${escapeHtml(identity.arn)}</td><td>${escapeHtml(identity.accountId)}</td><td class="mono">${escapeHtml(identity.userId)}</td></tr>`,
    )
    .join("\n");
  const url = escapeHtml(input.url);
  return layout(
    "AWS Sign-In emulator",
    `<div class="card">
<h1>AWS Sign-In emulator</h1>
<p>Base URL: <code id="base-url">${url}</code> · region <code>${escapeHtml(input.region)}</code></p>
<p>Sign-in: ${input.autoApprove ? "automatic (the first identity)" : "a page where you choose an identity"} · credentials last ${input.expiresIn} s · sessions last ${input.sessionDuration} s</p>
<h2>Identities</h2>
<table><tr><th></th><th>ARN</th><th>Account</th><th>UserId</th></tr>
${rows}
</table>
<h2>Point clients at it</h2>
<p>awslogin: <code>awslogin login --endpoint-url ${url} --region ${escapeHtml(input.region)}</code></p>
<p>AWS CLI 2.32+: <code>aws login --endpoint-url ${url} --region ${escapeHtml(input.region)}</code></p>
<p>For refreshes and STS calls:</p>
<p><code>export AWS_ENDPOINT_URL_SIGNIN=${url}</code><br><code>export AWS_ENDPOINT_URL_STS=${url}</code></p>
<p>Then <code>aws sts get-caller-identity</code> answers with the identity you signed in as.</p>
<h2>Endpoints</h2>
<table>
<tr><td class="mono">GET /v1/authorize</td><td>Authorization (sign-in page or automatic approval)</td></tr>
<tr><td class="mono">POST /v1/token</td><td>CreateOAuth2Token (DPoP required)</td></tr>
<tr><td class="mono">GET /v1/sessions/confirmation</td><td>Cross-device code page</td></tr>
<tr><td class="mono">POST /</td><td>STS GetCallerIdentity (SigV4)</td></tr>
<tr><td class="mono">GET /federation</td><td>Console sign-in: getSigninToken, login (awslogin console)</td></tr>
<tr><td class="mono">GET /console/home</td><td>The emulated console a federation login lands on</td></tr>
<tr><td class="mono">GET /__emulator/stats</td><td>Request counters</td></tr>
<tr><td class="mono">GET /__emulator/events</td><td>CloudTrail-shaped events</td></tr>
<tr><td class="mono">POST, DELETE /__emulator/faults</td><td>Fault injection for /v1/token</td></tr>
<tr><td class="mono">GET /__emulator/jwks.json</td><td>Public key of the ID tokens</td></tr>
</table>
</div>`,
  );
}

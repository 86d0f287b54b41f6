/**
 * STS `GetCallerIdentity` over the awsQuery protocol, authenticated with SigV4 against the
 * credentials the token endpoint issued.
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
import { createHash } from "node:crypto";
import { assumeRole } from "./assume-role.js";
import {
  constantTimeEqual,
  type EmulatorContext,
  headerValue,
  type IncomingCall,
  type Reply,
} from "./context.js";
import { escapeHtml as escapeXml } from "./pages.js";
import { computeSigV4Signature, parseAmzDate, parseSigV4Authorization } from "./sigv4-verify.js";

const NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
const API_VERSION = "2011-06-15";
/** How far a request's x-amz-date may be from the emulator's clock, as in AWS. */
const MAX_SIGNATURE_SKEW_MS = 15 * 60 * 1000;

function xmlReply(status: number, xml: string, requestId: string, note: string): Reply {
  return {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
    body: xml,
    note,
  };
}

/** An STS error in the awsQuery XML error format, as @aws-sdk/client-sts parses it. */
export function stsErrorReply(
  status: number,
  code: string,
  message: string,
  requestId: string,
  type: "Sender" | "Receiver" = "Sender",
): Reply {
  const xml = `<ErrorResponse xmlns="${NAMESPACE}">
  <Error>
    <Type>${type}</Type>
    <Code>${escapeXml(code)}</Code>
    <Message>${escapeXml(message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>
`;
  return xmlReply(status, xml, requestId, code);
}

/** The query parameters of an awsQuery call: from the form body (POST) and the URL. */
function queryParams(call: IncomingCall): URLSearchParams {
  const params = new URLSearchParams(call.url.search);
  if (call.method === "POST") {
    for (const [name, value] of new URLSearchParams(call.body.toString("utf8"))) params.append(name, value);
  }
  return params;
}

/** Handles an STS call (`POST /` or `GET /?Action=…`). */
export async function handleSts(ctx: EmulatorContext, call: IncomingCall): Promise<Reply> {
  ctx.stats.sts.requests += 1;
  const reply = await answerSts(ctx, call);
  if ("status" in reply && reply.status === 200) ctx.stats.sts.ok += 1;
  else ctx.stats.sts.errors += 1;
  return reply;
}

async function answerSts(ctx: EmulatorContext, call: IncomingCall): Promise<Reply> {
  const { requestId } = call;
  const authorization = headerValue(call, "authorization");
  if (!authorization) {
    return stsErrorReply(
      403,
      "MissingAuthenticationToken",
      "Request is missing Authentication Token",
      requestId,
    );
  }
  const auth = parseSigV4Authorization(authorization);
  if ("problem" in auth) return stsErrorReply(400, "IncompleteSignature", auth.problem, requestId);
  const signingDate = parseAmzDate(headerValue(call, "x-amz-date"));
  if (!signingDate) {
    return stsErrorReply(
      400,
      "IncompleteSignature",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      requestId,
    );
  }
  if (!auth.signedHeaders.includes("host")) {
    return stsErrorReply(400, "IncompleteSignature", "The host header must be signed.", requestId);
  }
  if (auth.service !== "sts") {
    return stsErrorReply(
      403,
      "SignatureDoesNotMatch",
      `Credential should be scoped to correct service: 'sts', not '${auth.service}'.`,
      requestId,
    );
  }
  // A signed x-amz-content-sha256 stands for the body in the signature: it must be the body's hash.
  const contentHash = headerValue(call, "x-amz-content-sha256");
  if (
    contentHash !== undefined &&
    contentHash !== "UNSIGNED-PAYLOAD" &&
    !constantTimeEqual(createHash("sha256").update(call.body).digest("hex"), contentHash)
  ) {
    return stsErrorReply(
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      requestId,
    );
  }
  const issued = ctx.state.credentials.get(auth.accessKeyId);
  if (!issued) {
    return stsErrorReply(
      403,
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
      requestId,
    );
  }
  if (!constantTimeEqual(issued.sessionToken, headerValue(call, "x-amz-security-token") ?? "")) {
    return stsErrorReply(
      403,
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
      requestId,
    );
  }
  const expected = await computeSigV4Signature(call, auth, issued, signingDate);
  if (!constantTimeEqual(expected, auth.signature)) {
    return stsErrorReply(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      requestId,
    );
  }
  const now = ctx.now();
  if (now >= issued.expiresAt) {
    return stsErrorReply(
      400,
      "ExpiredToken",
      "The security token included in the request is expired",
      requestId,
    );
  }
  if (Math.abs(now - signingDate.getTime()) > MAX_SIGNATURE_SKEW_MS) {
    return stsErrorReply(
      403,
      "SignatureDoesNotMatch",
      `Signature expired: ${headerValue(call, "x-amz-date")} is more than 15 minutes away from the server time.`,
      requestId,
    );
  }
  const params = queryParams(call);
  const action = params.get("Action") ?? "";
  if (action === "AssumeRole" && params.get("Version") === API_VERSION) {
    return assumeRole(ctx, call, issued, params);
  }
  if (action !== "GetCallerIdentity" || params.get("Version") !== API_VERSION) {
    return stsErrorReply(
      400,
      "InvalidAction",
      `Could not find operation ${action || "(none)"} for version ${params.get("Version") ?? "(none)"}`,
      requestId,
    );
  }
  const { identity } = issued;
  const xml = `<GetCallerIdentityResponse xmlns="${NAMESPACE}">
  <GetCallerIdentityResult>
    <Arn>${escapeXml(identity.arn)}</Arn>
    <UserId>${escapeXml(identity.userId)}</UserId>
    <Account>${identity.accountId}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`;
  return xmlReply(200, xml, requestId, "GetCallerIdentity");
}

/**
 * STS `AssumeRole`: the caller (already authenticated by SigV4 in sts.ts) gets temporary credentials of a configured
 * role when the role's trust rule admits it, its ExternalId and MFA code match, and the duration is within limits.
 * @see docs/protocol.md §17.1
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { EmulatorContext, IncomingCall, Reply } from "./context.js";
import { parseIdentity } from "./identity.js";
import { escapeHtml as escapeXml } from "./pages.js";
import { totpAccepts, trusts } from "./roles.js";
import type { IssuedCredentials } from "./state.js";
import { stsErrorReply } from "./sts.js";

const NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
/** Every credential the emulator issues (login-session or role) makes an AssumeRole a role chain: 1 hour at most. */
const ROLE_CHAINING_MAX_SECONDS = 3600;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SERIAL_NUMBER = /^[\w+=/:,.@-]{9,256}$/;

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function validationError(field: string, value: string | null, constraint: string, requestId: string): Reply {
  const shown = value === null ? "null" : `'${value.length > 64 ? `${value.slice(0, 64)}…` : value}'`;
  return stsErrorReply(
    400,
    "ValidationError",
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
    requestId,
  );
}

/** Answers an authenticated `Action=AssumeRole` call made with `caller`'s credentials. */
export async function assumeRole(
  ctx: EmulatorContext,
  call: IncomingCall,
  caller: IssuedCredentials,
  params: URLSearchParams,
): Promise<Reply> {
  const { requestId } = call;
  ctx.stats.assumeRole.requests += 1;
  const roleArn = params.get("RoleArn");
  const sessionName = params.get("RoleSessionName");
  const durationText = params.get("DurationSeconds");
  const externalId = params.get("ExternalId");
  const serialNumber = params.get("SerialNumber");
  const tokenCode = params.get("TokenCode");
  const requestParameters: Record<string, string | number> = {};
  if (roleArn !== null) requestParameters.roleArn = roleArn.slice(0, 2048);
  if (sessionName !== null) requestParameters.roleSessionName = sessionName.slice(0, 64);
  if (durationText !== null && /^\d{1,6}$/.test(durationText))
    requestParameters.durationSeconds = Number(durationText);
  if (externalId !== null) requestParameters.externalId = externalId.slice(0, 1224);
  if (serialNumber !== null) requestParameters.serialNumber = serialNumber.slice(0, 256);

  const finish = (reply: Reply, responseElements?: Record<string, unknown>): Reply => {
    const ok = "status" in reply && reply.status === 200;
    if (ok) ctx.stats.assumeRole.ok += 1;
    else ctx.stats.assumeRole.errors += 1;
    const note = reply.note ?? "";
    ctx.events.record({
      eventName: "AssumeRole",
      time: ctx.now(),
      identity: caller.identity,
      sourceIp: call.sourceIp,
      userAgent: call.userAgent,
      host: call.host,
      requestId,
      requestParameters,
      ...(responseElements ? { responseElements } : {}),
      ...(ok ? {} : { error: { code: note, message: errorMessageOf(reply) } }),
    });
    return reply;
  };

  const fault = ctx.faults.take("assumeRole");
  if (fault) {
    if (fault.delayMs) {
      try {
        await sleep(fault.delayMs, undefined, { signal: ctx.closing });
      } catch {
        return { drop: true, note: "closed while delaying" };
      }
    }
    if (fault.drop) {
      ctx.stats.assumeRole.errors += 1;
      return { drop: true, note: "fault: dropped" };
    }
    if (fault.status === 429) return finish(stsErrorReply(400, "Throttling", "Rate exceeded", requestId));
    if (fault.status === 500) {
      return finish(
        stsErrorReply(500, "InternalFailure", "The request processing has failed.", requestId, "Receiver"),
      );
    }
  }

  if (roleArn === null) return finish(validationError("roleArn", null, "Member must not be null", requestId));
  if (roleArn.length < 20 || roleArn.length > 2048) {
    return finish(
      validationError("roleArn", roleArn, "Member must have length between 20 and 2048", requestId),
    );
  }
  if (sessionName === null)
    return finish(validationError("roleSessionName", null, "Member must not be null", requestId));
  if (!SESSION_NAME.test(sessionName)) {
    return finish(
      validationError(
        "roleSessionName",
        sessionName,
        "Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64",
        requestId,
      ),
    );
  }
  let duration = 3600;
  if (durationText !== null) {
    duration = /^\d{1,6}$/.test(durationText) ? Number(durationText) : Number.NaN;
    if (!(duration >= 900 && duration <= 43_200)) {
      return finish(
        validationError(
          "durationSeconds",
          durationText,
          "Member must have value between 900 and 43200",
          requestId,
        ),
      );
    }
  }
  if (externalId !== null && !EXTERNAL_ID.test(externalId)) {
    return finish(
      validationError(
        "externalId",
        externalId,
        "Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224",
        requestId,
      ),
    );
  }
  if (serialNumber !== null && !SERIAL_NUMBER.test(serialNumber)) {
    return finish(
      validationError(
        "serialNumber",
        serialNumber,
        "Member must satisfy regular expression pattern: [\\w+=/:,.@-]* and have length between 9 and 256",
        requestId,
      ),
    );
  }
  if (tokenCode !== null && !/^\d{6}$/.test(tokenCode)) {
    return finish(
      validationError(
        "tokenCode",
        "***",
        "Member must satisfy regular expression pattern: [\\d]* and have length 6",
        requestId,
      ),
    );
  }

  const denied = () =>
    finish(
      stsErrorReply(
        403,
        "AccessDenied",
        `User: ${caller.identity.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        requestId,
      ),
    );
  const role = ctx.roles.get(roleArn);
  // AWS answers a role that does not exist exactly like one that does not trust the caller.
  if (!role || !trusts(role, caller.identity, ctx.organisation)) return denied();
  if (role.externalId !== undefined && externalId !== role.externalId) return denied();
  const now = ctx.now();
  let mfaAuthenticated = false;
  if (role.mfa) {
    if (serialNumber === null || tokenCode === null || serialNumber !== role.mfa.serial) return denied();
    if (!totpAccepts(role.mfa.secret, tokenCode, now)) {
      return finish(
        stsErrorReply(
          403,
          "AccessDenied",
          "MultiFactorAuthentication failed with invalid MFA one time pass code.",
          requestId,
        ),
      );
    }
    mfaAuthenticated = true;
  }
  if (duration > role.maxSessionDuration) {
    return finish(
      stsErrorReply(
        400,
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        requestId,
      ),
    );
  }
  if (duration > ROLE_CHAINING_MAX_SECONDS) {
    return finish(
      stsErrorReply(
        400,
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        requestId,
      ),
    );
  }

  const identity = {
    ...parseIdentity(`arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`),
    roleArn: role.arn,
    ...(mfaAuthenticated ? { mfaAuthenticated } : {}),
  };
  const expiresAt = now + duration * 1000;
  const issued = ctx.state.issueCredentials(identity, expiresAt);
  const expiration = isoSeconds(expiresAt);
  const xml = `<AssumeRoleResponse xmlns="${NAMESPACE}">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>${escapeXml(identity.userId)}</AssumedRoleId>
      <Arn>${escapeXml(identity.arn)}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${escapeXml(issued.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${escapeXml(issued.sessionToken)}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`;
  return finish(
    {
      status: 200,
      headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
      body: xml,
      note: "AssumeRole",
    },
    {
      credentials: { accessKeyId: issued.accessKeyId, expiration },
      assumedRoleUser: { assumedRoleId: identity.userId, arn: identity.arn },
    },
  );
}

function errorMessageOf(reply: Reply): string {
  if (!("status" in reply) || reply.body === undefined) return "";
  const message = /<Message>([^<]*)<\/Message>/.exec(reply.body)?.[1] ?? "";
  return message
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");
}

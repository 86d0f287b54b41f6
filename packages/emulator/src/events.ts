/**
 * CloudTrail-shaped records of the Sign-In calls the emulator served.
 * @see docs/protocol.md §10 (the fields of AuthorizeOAuth2Access and CreateOAuth2Token events)
 */
import { randomUUID } from "node:crypto";
import type { Identity } from "./identity.js";

/** The `userIdentity` block of a CloudTrail event. */
export interface CloudTrailUserIdentity {
  type: "AssumedRole" | "IAMUser" | "Root" | "Unknown";
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
  sessionContext?: {
    sessionIssuer: { type: "Role"; principalId: string; arn: string; accountId: string; userName: string };
    attributes: { creationDate: string; mfaAuthenticated: "true" | "false" };
  };
}

/** One CloudTrail event record, as AWS Sign-In writes them. */
export interface CloudTrailEvent {
  eventVersion: "1.11";
  userIdentity: CloudTrailUserIdentity;
  eventTime: string;
  eventSource: "signin.amazonaws.com" | "sts.amazonaws.com";
  eventName:
    | "AuthorizeOAuth2Access"
    | "CreateOAuth2Token"
    | "RevokeOAuth2TokenWithIAM"
    | "IntrospectOAuth2TokenWithIAM"
    | "AssumeRole";
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, string | number>;
  /** `null` for Sign-In calls; AssumeRole records the credentials' key id and expiry and the assumed-role user. */
  responseElements: null | Record<string, unknown>;
  additionalEventData: Record<string, string>;
  requestID: string;
  eventID: string;
  /** False only for calls that change something the service keeps (a revoke). */
  readOnly: boolean;
  eventType: "AwsApiCall";
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: "Management";
  tlsDetails: { tlsVersion: string; cipherSuite: string; clientProvidedHostHeader: string };
}

/** What one served call contributes to its event. */
export interface CallRecord {
  eventName: CloudTrailEvent["eventName"];
  time: number;
  identity?: Identity;
  /** When the principal's session began (the `creationDate` attribute). */
  sessionCreatedAt?: number;
  sourceIp: string;
  userAgent: string;
  host: string;
  requestId: string;
  requestParameters: Record<string, string | number>;
  /** Whether the call only reads (default true). */
  readOnly?: boolean;
  /** AssumeRole only: what CloudTrail records of the answer. */
  responseElements?: Record<string, unknown>;
  /** For failed calls: the error shape and a message. */
  error?: { code: string; message: string; oauthError?: string };
}

/** Builds `userIdentity` from an identity. @see docs/protocol.md §10 */
export function userIdentityOf(
  identity: Identity | undefined,
  sessionCreatedAt: number,
): CloudTrailUserIdentity {
  if (!identity) return { type: "Unknown" };
  switch (identity.kind) {
    case "assumed-role":
      return {
        type: "AssumedRole",
        principalId: identity.userId,
        arn: identity.arn,
        accountId: identity.accountId,
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            principalId: identity.roleId!,
            arn: identity.roleArn!,
            accountId: identity.accountId,
            userName: identity.name,
          },
          attributes: {
            creationDate: isoSeconds(sessionCreatedAt),
            mfaAuthenticated: identity.mfaAuthenticated ? "true" : "false",
          },
        },
      };
    case "user":
      return {
        type: "IAMUser",
        principalId: identity.userId,
        arn: identity.arn,
        accountId: identity.accountId,
        userName: identity.name,
      };
    case "root":
      return {
        type: "Root",
        principalId: identity.accountId,
        arn: identity.arn,
        accountId: identity.accountId,
      };
  }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A bounded log of events, oldest dropped first. */
export class EventLog {
  private readonly events: CloudTrailEvent[] = [];

  constructor(
    private readonly region: string,
    private readonly fallbackAccountId: string,
    private readonly max = 10_000,
  ) {}

  /** Records one served call. */
  record(call: CallRecord): CloudTrailEvent {
    const additionalEventData: Record<string, string> = {
      success: call.error ? "false" : "true",
      "x-amzn-vpce-id": "",
    };
    if (call.error?.oauthError) additionalEventData.error = call.error.oauthError;
    const event: CloudTrailEvent = {
      eventVersion: "1.11",
      userIdentity: userIdentityOf(call.identity, call.sessionCreatedAt ?? call.time),
      eventTime: isoSeconds(call.time),
      eventSource: call.eventName === "AssumeRole" ? "sts.amazonaws.com" : "signin.amazonaws.com",
      eventName: call.eventName,
      awsRegion: this.region,
      sourceIPAddress: call.sourceIp,
      userAgent: call.userAgent,
      ...(call.error ? { errorCode: call.error.code, errorMessage: call.error.message } : {}),
      requestParameters: call.requestParameters,
      responseElements: call.responseElements ?? null,
      additionalEventData,
      requestID: call.requestId,
      eventID: randomUUID(),
      readOnly: call.readOnly ?? true,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: call.identity?.accountId ?? this.fallbackAccountId,
      eventCategory: "Management",
      tlsDetails: {
        tlsVersion: "TLSv1.3",
        cipherSuite: "TLS_AES_128_GCM_SHA256",
        clientProvidedHostHeader: call.host,
      },
    };
    this.events.push(event);
    if (this.events.length > this.max) this.events.splice(0, this.events.length - this.max);
    return event;
  }

  /** A copy of all events, oldest first. */
  list(): CloudTrailEvent[] {
    return structuredClone(this.events);
  }
}

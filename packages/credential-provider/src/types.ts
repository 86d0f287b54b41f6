/**
 * The shapes the AWS SDK for JavaScript v3 exchanges with a credential provider, declared here
 * structurally so that the package needs no AWS SDK package at run time (or for its types).
 * They match `@smithy/types` (`AwsCredentialIdentity`, `Logger`, `Provider`) and
 * `@aws-sdk/types` (`AwsIdentityProperties`); the tests hold them equal with the compiler.
 */

/** The SDK's `Logger`: every method optional, as the SDK calls them with `?.`. */
export interface Logger {
  trace?: (...content: unknown[]) => void;
  debug?: (...content: unknown[]) => void;
  info?: (...content: unknown[]) => void;
  warn?: (...content: unknown[]) => void;
  error?: (...content: unknown[]) => void;
}

/** A value or a function that resolves to it, as SDK client options take them. */
export type MaybeProvider<T> = T | (() => T | Promise<T>);

/** The endpoint forms an SDK client accepts: a URL string, a `URL`, an `EndpointV2` (`{ url }`), or a v1 `Endpoint`. */
export type EndpointLike =
  | string
  | URL
  | { url: URL | string }
  | { protocol: string; hostname: string; port?: number | undefined; path: string };

/** Options of {@link fromLoginCredentials}; the same as `@aws-sdk/credential-provider-login`'s `FromLoginCredentialsInit`. */
export interface FromLoginCredentialsInit {
  /** The profile to read; default the calling client's profile, then `AWS_PROFILE`, then `default`. */
  profile?: string;
  /** The shared credentials file; default `AWS_SHARED_CREDENTIALS_FILE`, then `~/.aws/credentials`. */
  filepath?: string;
  /** The shared config file; default `AWS_CONFIG_FILE`, then `~/.aws/config`. */
  configFilepath?: string;
  /**
   * Read the files on every call instead of serving credentials from memory while they have more than
   * 5 minutes left. The refresh decision is then made from the token cache file each time.
   */
  ignoreCache?: boolean;
  /** Gets `debug` lines and a `warn` when a refresh failed but the cached credentials still work. Never secrets. */
  logger?: Logger;
  /**
   * Settings of the Sign-In client used to refresh. `region` applies when the token cache records no
   * `signInRegion`; `endpoint` replaces the Sign-In endpoint. Other keys of the SDK's `SigninClientConfig`
   * are accepted and ignored.
   */
  clientConfig?: {
    region?: MaybeProvider<string | undefined>;
    endpoint?: MaybeProvider<EndpointLike | undefined>;
    // Only an `any` index signature lets the SDK's SigninClientConfig (an interface) be passed as it is.
    // biome-ignore lint/suspicious/noExplicitAny: the other keys are accepted and ignored
    [key: string]: any;
  };
}

/** What an SDK client passes to a credential provider (`AwsIdentityProperties` of `@aws-sdk/types`). */
export interface CallerProperties {
  callerClientConfig?: {
    /** The client's region, as a provider function in SDK clients. */
    region?: MaybeProvider<string | undefined>;
    profile?: string | undefined;
    logger?: Logger | undefined;
    // biome-ignore lint/suspicious/noExplicitAny: as for clientConfig: SDK interfaces carry many more keys
    [key: string]: any;
  };
}

/** The credentials a login session hands out (`AttributedAwsCredentialIdentity` of `@aws-sdk/types`, narrowed). */
export interface LoginCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly accountId: string;
  readonly expiration: Date;
  /** Where the credentials came from, for the SDK's user agent (`CREDENTIALS_LOGIN` = `AD`, as the SDK's provider sets). */
  $source?: { CREDENTIALS_LOGIN?: "AD"; [feature: string]: string | undefined };
}

/** A provider as `fromLoginCredentials` returns it: assignable to the SDK's `AwsCredentialIdentityProvider`. */
export type LoginCredentialProvider = (properties?: CallerProperties) => Promise<LoginCredentialIdentity>;

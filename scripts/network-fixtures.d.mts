/** A CA made for one test run and a server certificate for 127.0.0.1 and localhost that it signed. */
export interface TestCertificateAuthority {
  /** PEM file of the CA's certificate: what AWS_CA_BUNDLE / ca_bundle point at. */
  caPath: string;
  /** The server's key and certificate, for `https.createServer`. */
  key: string;
  cert: string;
  dispose(): void;
}

/** Creates a CA and a 127.0.0.1 server certificate with the openssl binary, in a fresh temp folder. */
export function createTestCertificateAuthority(): TestCertificateAuthority;

/** One request seen by the proxy: a CONNECT tunnel (`CONNECT host:port`) or a forwarded absolute-form request. */
export interface ProxiedRequest {
  method: string;
  target: string;
}

/** A forward proxy on 127.0.0.1 that only forwards to 127.0.0.1 (so a wrong test cannot reach further). */
export interface TestProxy {
  url: string;
  log: ProxiedRequest[];
  close(): Promise<void>;
}

/** Starts a forward proxy handling CONNECT and absolute-form requests, logging each. */
export function startTestProxy(): Promise<TestProxy>;

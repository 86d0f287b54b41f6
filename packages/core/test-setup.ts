// Tests build transports from process.env: a proxy or CA setting of the machine running them must not send their
// 127.0.0.1 traffic (token bodies included) anywhere else. Tests that need these variables set them explicitly.
for (const name of [
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "AWS_CA_BUNDLE",
]) {
  delete process.env[name];
}

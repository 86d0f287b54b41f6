// Test fixtures shared by the packages' tests (types in network-fixtures.d.mts): a throw-away certificate
// authority made with openssl, and a forward proxy on 127.0.0.1 that logs what passes through it.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Creates a CA and a 127.0.0.1 server certificate with the openssl binary, in a fresh temp folder. */
export function createTestCertificateAuthority() {
  const dir = mkdtempSync(join(tmpdir(), "awslogin-ca-"));
  const path = (name) => join(dir, name);
  const openssl = (...args) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    path("ca.key"),
    "-out",
    path("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=awslogin test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  openssl(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    path("server.key"),
    "-out",
    path("server.csr"),
    "-subj",
    "/CN=127.0.0.1",
  );
  writeFileSync(
    path("server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    path("server.csr"),
    "-CA",
    path("ca.pem"),
    "-CAkey",
    path("ca.key"),
    "-CAcreateserial",
    "-out",
    path("server.pem"),
    "-days",
    "2",
    "-extfile",
    path("server.ext"),
  );
  return {
    caPath: path("ca.pem"),
    key: readFileSync(path("server.key"), "utf8"),
    cert: readFileSync(path("server.pem"), "utf8"),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Starts a forward proxy handling CONNECT and absolute-form requests, logging each. */
export async function startTestProxy() {
  const log = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    log.push({ method: req.method ?? "", target: req.url ?? "" });
    let target;
    try {
      target = new URL(req.url ?? "");
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (target.hostname !== "127.0.0.1") {
      res.writeHead(403).end();
      return;
    }
    const upstream = request(
      {
        host: "127.0.0.1",
        port: target.port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("connect", (req, client, head) => {
    log.push({ method: "CONNECT", target: req.url ?? "" });
    const [host, port] = (req.url ?? "").split(":");
    if (host !== "127.0.0.1" || port === undefined) {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = connect(Number(port), "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

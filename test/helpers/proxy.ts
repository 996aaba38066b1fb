/**
 * A forward proxy on 127.0.0.1 for tests: it answers CONNECT by opening a tunnel to 127.0.0.1
 * on the port asked for, whatever the host name (so a request to `http://xt.invalid:PORT`,
 * a name that never resolves, can only arrive through it), and records what it was asked.
 * `auth`: the Proxy-Authorization it requires (else 407); `refuse`: answer CONNECT with this
 * status; `silent`: accept the connection and never answer. Closed when the test ends.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { connect, type AddressInfo, type Socket } from "node:net";
import { onTestFinished } from "vitest";
import { tempDir } from "./temp-dir.js";

export interface TestProxy {
  url: string;
  port: number;
  /** The CONNECT targets asked for, in order (`host:port`). */
  connects: string[];
  /** The Proxy-Authorization header of each CONNECT (undefined: none). */
  auths: Array<string | undefined>;
  /** Client connections to the proxy still open. */
  openClients(): number;
}

export async function startProxy(opts: { auth?: string; refuse?: number; silent?: boolean } = {}): Promise<TestProxy> {
  const connects: string[] = [];
  const auths: Array<string | undefined> = [];
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end("this proxy only tunnels (CONNECT)"));
  server.on("connection", (client: Socket) => {
    clients.add(client);
    client.once("close", () => clients.delete(client));
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on("error", () => undefined);
    // (Node hands a CONNECT's socket over half-open: end it when the client does, as a proxy would.)
    client.once("end", () => client.destroy());
    connects.push(req.url ?? "");
    const auth = req.headers["proxy-authorization"];
    auths.push(auth);
    if (opts.silent) return;
    const refuse = opts.refuse ?? (opts.auth !== undefined && auth !== opts.auth ? 407 : undefined);
    if (refuse !== undefined) return void client.end(`HTTP/1.1 ${refuse} Refused\r\nContent-Length: 0\r\n\r\n`);
    const port = Number(/:(\d+)$/.exec(req.url ?? "")?.[1]);
    const upstream = connect(port, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  onTestFinished(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, connects, auths, openClients: () => clients.size };
}

/**
 * A self-signed certificate for `name` (made by openssl; .ci/install-browser installs it): the
 * key and certificate as PEM, and the certificate's file (for NODE_EXTRA_CA_CERTS).
 */
export function selfSignedCert(name: string): { key: Buffer; cert: Buffer; certFile: string } {
  const dir = tempDir("proxy-tls-");
  const [keyFile, certFile] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1"];
  try {
    execFileSync("openssl", [...args, "-subj", `/CN=${name}`, "-addext", `subjectAltName=DNS:${name}`], { stdio: "ignore" });
  } catch (e) {
    throw new Error(`openssl could not make the test certificate (run .ci/install-browser once): ${(e as Error).message}`);
  }
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
}

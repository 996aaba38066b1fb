/**
 * The quant-ws socket through an HTTP proxy: a `createConnection` for `ws` that asks the proxy
 * for a CONNECT tunnel to the gateway (`user:password@` of the proxy URL sent as
 * Proxy-Authorization: Basic) and, for wss://, runs TLS through it to the gateway's name. The
 * proxy's answer to CONNECT must come within `timeoutMs` (the client's connectTimeoutMs);
 * what fails is an Error that names the proxy's status or silence, never its password.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { redactUrl } from "../core/redaction.js";
import { proxyRefusal } from "../core/validate.js";

type Done = (error: Error | null, socket?: Socket) => void;

export interface ProxyTunnel {
  /** ws's `createConnection`, in the callback form Node's HTTP request takes. */
  createConnection(opts: ConnectionOptions & { host?: string; port?: number | string }, done: Done): undefined;
  /** End every CONNECT still waiting for the proxy (the client is closing). */
  cancel(): void;
}

export function proxyTunnel(proxy: string, secure: boolean, timeoutMs: number): ProxyTunnel {
  const url = new URL(proxy);
  const auth = url.username || url.password ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}` : undefined;
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const shown = `the proxy ${redactUrl(url.href)}`;
  const pending = new Set<ReturnType<typeof send>>();
  const createConnection: ProxyTunnel["createConnection"] = (opts, done) => {
    const host = opts.host ?? "localhost";
    const target = `${host.includes(":") ? `[${host}]` : host}:${opts.port ?? (secure ? 443 : 80)}`;
    let settled = false;
    const finish = (error: Error | null, socket?: Socket) => {
      pending.delete(req);
      if (settled) return void socket?.destroy();
      settled = true;
      done(error, socket);
    };
    const req = send({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || (url.protocol === "https:" ? 443 : 80),
      method: "CONNECT",
      path: target,
      headers: { host: target, ...(auth ? { "proxy-authorization": auth } : {}) },
      agent: false,
      timeout: timeoutMs,
    });
    req.once("connect", (res: IncomingMessage, socket: Socket, head: Buffer) => {
      req.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        return finish(new Error(`${shown} ${proxyRefusal(res.statusCode ?? "no status", target)}`));
      }
      if (head.length) socket.unshift(head);
      if (!secure) return finish(null, socket);
      // TLS to the gateway through the tunnel, with the socket's TLS options (ca, rejectUnauthorized …) and its name.
      // (As ws's own tlsConnect: every option but the HTTP path, which tls.connect would read as an IPC path.)
      finish(null, tlsConnect({ ...opts, path: undefined, socket, servername: opts.servername || (isIP(host) ? "" : host) } as ConnectionOptions));
    });
    const silent = new Error(`${shown} did not answer CONNECT ${target} within ${timeoutMs} ms`);
    req.once("timeout", () => req.destroy(silent));
    req.once("error", (e) => finish(e === silent ? e : new Error(`${shown} cannot be reached (${(e as { code?: string }).code ?? e.message})`, { cause: e })));
    pending.add(req);
    req.end();
    return undefined;
  };
  return {
    createConnection,
    cancel: () => {
      for (const req of pending) req.destroy(new Error(`the client closed while ${shown} was opening the tunnel`));
    },
  };
}

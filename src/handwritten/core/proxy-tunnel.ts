/**
 * A CONNECT tunnel through an HTTP(S) proxy, for the REST transport's undici Agent (wire.ts)
 * and the quant-ws socket: the proxy is asked for a tunnel to the server (`user:password@` of
 * the proxy URL sent as Proxy-Authorization: Basic), and its answer to CONNECT must come within
 * `timeoutMs`. A proxy that refuses, stays silent or drops the connection fails the tunnel
 * once: nothing is asked again (undici's own ProxyAgent read a proxy that closed the connection
 * as a socket to reconnect, and sent CONNECT thousands of times a second, after the call ended).
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { redactUrl } from "./redaction.js";
import { proxyRefusal } from "./validate.js";

type Done = (error: Error | null, socket?: Socket) => void;

/** The proxy answered CONNECT with another status than 200. */
export class TunnelRefused extends Error {
  constructor(
    readonly status: number | string,
    target: string,
  ) {
    super(proxyRefusal(status, target));
  }
}

/** The proxy did not answer CONNECT within the time. */
export class TunnelSilent extends Error {}

/**
 * The tunnel carried bytes before the client sent any (every protocol sent through it, HTTP,
 * TLS and WebSocket, has the client speak first): the target is no HTTP server (an sshd's
 * banner), or the proxy wrote past its answer. Handed on, undici read them as a socket to
 * reconnect and sent CONNECT thousands of times a second, after the call had ended.
 */
export class TunnelNotHttp extends Error {
  constructor(bytes: number, target: string) {
    super(`the tunnel to ${target} sent ${bytes} bytes before the request: is ${target} an HTTP server (the right port)?`);
  }
}

/**
 * The Proxy-Authorization of a proxy URL's `user:password@` (percent-decoded), or undefined;
 * a UsageError-worthy problem is caught when the option is checked (`proxyOption`).
 */
function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  return `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}`;
}

/** `host:port` of a CONNECT (an IPv6 host in brackets). */
export const tunnelTarget = (host: string, port: number | string): string => `${host.includes(":") ? `[${host}]` : host}:${port}`;

/**
 * Ask `proxy` for a tunnel to `target`; `done` gets the tunnel's socket, or why there is none
 * (TunnelRefused, TunnelSilent, or the connection's own error, with its code). Returns a
 * function that ends the CONNECT if it is still waiting.
 */
export function connectTunnel(proxy: URL, target: string, timeoutMs: number, done: Done): (reason: Error) => void {
  const auth = proxyAuthorization(proxy);
  const send = proxy.protocol === "https:" ? httpsRequest : httpRequest;
  let settled = false;
  const silent = new TunnelSilent(`did not answer CONNECT ${target} within ${timeoutMs} ms`);
  // The whole answer within the time: the request's own timeout is an idle one, which a proxy
  // sending a byte now and then (or a TLS handshake to an https:// proxy, then the wait) renews.
  const deadline = setTimeout(() => req.destroy(silent), timeoutMs);
  const finish = (error: Error | null, socket?: Socket) => {
    clearTimeout(deadline);
    if (settled) return void socket?.destroy();
    settled = true;
    done(error, socket);
  };
  const req = send({
    host: proxy.hostname.replace(/^\[|\]$/g, ""),
    port: proxy.port || (proxy.protocol === "https:" ? 443 : 80),
    method: "CONNECT",
    path: target,
    headers: { host: target, ...(auth ? { "proxy-authorization": auth } : {}) },
    agent: false,
    timeout: timeoutMs,
  });
  req.once("connect", (res: IncomingMessage, socket: Socket, head: Buffer) => {
    req.setTimeout(0);
    // (any 2xx opens the tunnel: RFC 9110 9.3.6)
    if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) {
      socket.destroy();
      return finish(new TunnelRefused(res.statusCode ?? "no status", target));
    }
    if (head.length) {
      socket.destroy();
      return finish(new TunnelNotHttp(head.length, target));
    }
    finish(null, socket);
  });
  req.once("timeout", () => req.destroy(silent));
  req.once("error", (e) => finish(e));
  req.end();
  return (reason) => req.destroy(reason);
}

export interface ProxyTunnel {
  /** ws's `createConnection`, in the callback form Node's HTTP request takes. */
  createConnection(opts: ConnectionOptions & { host?: string; port?: number | string }, done: Done): undefined;
  /** End every CONNECT still waiting for the proxy (the client is closing). */
  cancel(): void;
}

/**
 * The quant-ws socket's `createConnection`: a tunnel to the gateway and, for wss://, TLS
 * through it to the gateway's name. What fails is an Error that names the proxy's status or
 * silence, never its password.
 */
export function proxyTunnel(proxy: string, secure: boolean, timeoutMs: number): ProxyTunnel {
  const url = new URL(proxy);
  const shown = `the proxy ${redactUrl(url.href)}`;
  const pending = new Set<(reason: Error) => void>();
  const createConnection: ProxyTunnel["createConnection"] = (opts, done) => {
    const host = opts.host ?? "localhost";
    const target = tunnelTarget(host, opts.port ?? (secure ? 443 : 80));
    const cancel = connectTunnel(url, target, timeoutMs, (error, socket) => {
      pending.delete(cancel);
      if (error) {
        const known = error instanceof TunnelRefused || error instanceof TunnelSilent;
        if (error instanceof TunnelNotHttp) return done(new Error(`through ${shown}, ${error.message}`));
        const why = known ? error.message : `cannot be reached (${(error as { code?: string }).code ?? error.message})`;
        return done(new Error(`${shown} ${why}`, known ? undefined : { cause: error }));
      }
      if (!secure) return done(null, socket);
      // TLS to the gateway through the tunnel, with the socket's TLS options (ca, rejectUnauthorized …) and its name.
      // (As ws's own tlsConnect: every option but the HTTP path, which tls.connect would read as an IPC path.)
      done(null, tlsConnect({ ...opts, path: undefined, socket, servername: opts.servername || (isIP(host) ? "" : host) } as ConnectionOptions));
    });
    pending.add(cancel);
    return undefined;
  };
  return {
    createConnection,
    cancel: () => {
      for (const cancel of pending) cancel(new Error(`the client closed while ${shown} was opening the tunnel`));
    },
  };
}

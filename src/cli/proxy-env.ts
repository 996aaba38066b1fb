/**
 * The proxy a `tradeapi call` (or `ws` command) goes through, from the environment as curl and
 * Go read it: `https_proxy`/`HTTPS_PROXY` for an https (or wss) server, `http_proxy`/`HTTP_PROXY` for an http (or ws) one
 * (the lower-case name first), and `no_proxy`/`NO_PROXY`, a comma- or space-separated list of
 * servers reached directly: a host name (its subdomains too; a leading `.` or `*.` is the
 * same), an IP address, a CIDR range (`10.0.0.0/8`), any of them with `:port`, or `*` for
 * all. Loopback servers (localhost, 127.0.0.0/8, ::1) are always reached directly, as Go does:
 * an emulator on this machine is not sent to a proxy. A proxy written without a scheme is
 * http://. The library reads no environment: the CLI passes the result as the client's
 * `proxy` option.
 */
import { BlockList, isIP } from "node:net";
import { urlCredentials } from "../handwritten/core/redaction.js";
import { UsageError } from "../handwritten/core/errors.js";
import { proxyOption, urlShown, userinfoOf } from "../handwritten/core/validate.js";
import { CliUsageError } from "./args.js";
import type { ApiEntry, CliSettings } from "./registry.js";

export const PROXY_ENV = [
  { name: "HTTPS_PROXY", description: "proxy for https and wss servers (http://[user:password@]host:port; also https_proxy)" },
  { name: "HTTP_PROXY", description: "proxy for http and ws servers (also http_proxy)" },
  { name: "NO_PROXY", description: "servers reached directly: hosts, .domains, IPs, CIDR ranges, :ports, or * (also no_proxy; loopback always)" },
] as const;

/** A proxy variable's value as a URL: one written without a scheme is http://. */
const withScheme = (raw: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);

const value = (env: NodeJS.ProcessEnv, name: string): [string, string] | undefined => {
  for (const n of [name.toLowerCase(), name]) {
    const v = env[n]?.trim();
    if (v) return [n, v];
  }
  return undefined;
};

/** A URL's host without IPv6 brackets, lower-cased, and its port (the scheme's default when none). */
function hostPort(url: URL, secure: boolean): [string, string] {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return [host, url.port || (secure ? "443" : "80")];
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? "ipv4" : "ipv6");
}

/** Does one NO_PROXY entry name this server? */
function bypassedBy(entry: string, host: string, port: string): boolean {
  if (entry === "*") return true;
  let name = entry.toLowerCase();
  let wantPort: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(name);
  if (bracket) [name, wantPort] = [bracket[1]!, bracket[2]];
  else if (isIP(name) !== 6 && !name.includes("/")) {
    const m = /^(.*):(\d+)$/.exec(name);
    if (m) [name, wantPort] = [m[1]!, m[2]];
  }
  if (wantPort !== undefined && wantPort !== port) return false;
  const cidr = /^(.+)\/(\d{1,3})$/.exec(name);
  if (cidr) {
    const family = isIP(cidr[1]!);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (!family || isIP(host) !== family || Number(cidr[2]) > (family === 4 ? 32 : 128)) return false;
    const list = new BlockList();
    list.addSubnet(cidr[1]!, Number(cidr[2]), type);
    return list.check(host, type);
  }
  if (isIP(name) || isIP(host)) return name === host;
  name = name.replace(/^\*?\./, "");
  return host === name || host.endsWith(`.${name}`);
}

/**
 * The proxy URL for requests to `target` (undefined: go directly), or a usage error naming the
 * variable when its value is not an http(s) proxy URL (its password never shown).
 */
export function proxyFor(target: string, env: NodeJS.ProcessEnv): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined; // the client refuses the base URL itself, in its own words
  }
  // A WebSocket goes as its HTTP scheme does (ws: as http:, wss: as https:), as curl and Go's clients send it.
  const secure = url.protocol === "https:" || url.protocol === "wss:";
  if (!secure && url.protocol !== "http:" && url.protocol !== "ws:") return undefined;
  const [host, port] = hostPort(url, secure);
  if (isLoopback(host)) return undefined;
  const chosen = value(env, secure ? "HTTPS_PROXY" : "HTTP_PROXY");
  if (!chosen) return undefined;
  const noProxy = value(env, "NO_PROXY")?.[1].split(/[\s,]+/).filter(Boolean) ?? [];
  if (noProxy.some((e) => bypassedBy(e, host, port))) return undefined;
  const [name, raw] = chosen;
  const proxy = withScheme(raw);
  let parsed: URL | undefined;
  try {
    parsed = new URL(proxy);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    // Shown with the scheme it was read with: a password is hidden only after one (`user:pw@host` is http://user:pw@host).
    throw new CliUsageError(`${name} is not an http:// or https:// proxy URL: ${urlShown(proxy)} (tradeapi speaks HTTP to proxies; set NO_PROXY to reach this server directly)`);
  }
  // What the client would refuse in its own words ("the proxy option …", no variable named):
  // a space in the password (which new URL() percent-encodes), a path, a stray %.
  try {
    proxyOption(proxy, {});
  } catch (e) {
    const option = `the proxy option ${urlShown(proxy)} `;
    if (!(e instanceof UsageError) || !e.message.startsWith(option)) throw e;
    throw new CliUsageError(`${name} = ${urlShown(proxy)} ${e.message.slice(option.length)}; fix the variable, or set NO_PROXY to reach this server directly`);
  }
  return proxy;
}

/**
 * The one proxy for a call to these servers (Xele's MA and MS: one client, one route), or a
 * usage error when the environment sends them different ways.
 */
export function proxyForAll(targets: ReadonlyArray<string>, env: NodeJS.ProcessEnv): string | undefined {
  const routes = new Set(targets.map((t) => proxyFor(t, env)));
  if (routes.size > 1) {
    throw new CliUsageError(`HTTP(S)_PROXY and NO_PROXY send ${targets.map(urlShown).join(" and ")} different ways; tradeapi sends one call's servers one way: set NO_PROXY for all of them or for none`);
  }
  return [...routes][0];
}

/** The user names and passwords in the proxy variables (redacted from all the CLI prints). */
export function proxySecrets(env: NodeJS.ProcessEnv): string[] {
  return PROXY_ENV.flatMap(({ name }) => [name, name.toLowerCase()]).flatMap((n) => {
    const v = env[n]?.trim();
    if (!v) return [];
    const url = withScheme(v);
    const found = urlCredentials(url);
    if (found.length) return found;
    // Not a URL (a space or a stray `%` in the password): its text before the authority's last `@`.
    const info = userinfoOf(url);
    return [info.slice(info.indexOf(":") + 1)].filter(Boolean);
  });
}

/**
 * The call's settings with the one proxy the environment gives the API's servers: each URL
 * setting of `entry`, or the API's default for it when it is not set.
 */
export function withProxy(
  entry: Pick<ApiEntry, "env">,
  settings: CliSettings,
  defaults: Readonly<Record<string, string>> | undefined,
  env: NodeJS.ProcessEnv,
): CliSettings {
  const targets = entry.env.flatMap((v) => (v.url ? [settings[v.setting] ?? defaults?.[v.setting]] : [])).filter((u): u is string => !!u);
  const proxy = proxyForAll(targets, env);
  return proxy === undefined ? settings : { ...settings, proxy };
}

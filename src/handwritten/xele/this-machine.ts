/** Whether a server URL names this machine (Xele's check of one server given without the other; the CLI's too). Not exported by the package. */

/**
 * Is a URL's host this machine: 127.0.0.0/8 (by its address, not a name that starts with
 * "127."), localhost and its subdomains, 0.0.0.0, ::1, :: and ::ffff:127.x? A URL that is no
 * http(s) URL with a host counts as this machine here: the transport's own check refuses it,
 * naming what is wrong with it.
 */
export function onThisMachine(url: string): boolean {
  let host: string;
  try {
    const u = new URL(url);
    if ((u.protocol !== "http:" && u.protocol !== "https:") || !u.hostname || /[\s\u0000-\u001f]/.test(url)) return true;
    host = u.hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return true;
  }
  return (
    host === "localhost" || host.endsWith(".localhost") || host === "0.0.0.0" || host === "[::1]" || host === "[::]" ||
    /^127(?:\.\d{1,3}){3}$/.test(host) || /^\[::ffff:(?:7f[0-9a-f]{2}:[0-9a-f]{1,4}|127(?:\.\d{1,3}){3})\]$/.test(host)
  );
}

/**
 * The server whose URL is left to its default on this machine while the other's is given for
 * another machine (its login or token would go to a local port): which was given, which is
 * missing, and the role of the missing one; undefined when both or neither are given, or the
 * one given is on this machine too.
 */
export function defaultedServer(maUrl: unknown, msUrl: unknown): { given: "maUrl" | "msUrl"; missing: "maUrl" | "msUrl"; server: "MA" | "MS" } | undefined {
  if ((maUrl === undefined) === (msUrl === undefined)) return undefined;
  const found = maUrl === undefined ? ({ given: "msUrl", missing: "maUrl", server: "MA" } as const) : ({ given: "maUrl", missing: "msUrl", server: "MS" } as const);
  const url = maUrl ?? msUrl;
  return typeof url !== "string" || onThisMachine(url) ? undefined : found;
}

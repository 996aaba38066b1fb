/**
 * A `fetch` that records each outgoing request and answers from a function: the client under
 * test runs unmocked down to the network boundary (openapi-fetch's createObservedClient idea).
 */
export interface Recorded {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export type Responder = (req: Recorded, n: number) => Response | Promise<Response>;

export function recordingFetch(respond: Responder) {
  const calls: Recorded[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(input, init);
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    const rec: Recorded = { method: req.method, url: new URL(req.url), headers, body: req.body ? await req.text() : "" };
    calls.push(rec);
    return respond(rec, calls.length);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

/** A JSON answer; a bigint in `value` is written as its digits (an id beyond 2^53). */
export const json = (value: unknown, status = 200, text?: string) =>
  new Response(text ?? JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `\u0000${v}` : v)).replace(/"\\u0000(-?\d+)"/g, "$1"), {
    status,
    headers: { "content-type": "application/json" },
  });

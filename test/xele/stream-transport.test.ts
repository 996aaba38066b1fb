/**
 * `streamRows` opens its answer through the server's HttpTransport (`open`), on undici by
 * default: a server that cuts the rows, goes silent, never answers, redirects or answers with
 * an error page gives the transport's typed errors, with the token and password removed.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { closeXeleServers, xeleServer as startXeleServer } from "../helpers/xele-server.js";
import { AbortedError, ConnectionError, HttpError, RedirectError, ResponseTooLargeError, TimeoutError } from "../../src/handwritten/core/errors.js";
import { createXeleClient, type XeleClientOptions } from "../../src/handwritten/xele/client.js";
import { PipeRowsError } from "../../src/handwritten/xele/pipe-rows.js";

const TOKEN = "tok-stream-7f3a9c";
const PASSWORD = "pw-stream-41d2";
const HEAD = "MS,OrderQry,1.0.3,4,3,InvestorId|OrderSysId|ExchangeOrderId|MFL";

afterEach(closeXeleServers);

/** One server for MA and MS: /login answers a ticket, everything else goes to `rows`. */
const xeleServer = (rows: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> => startXeleServer(TOKEN, rows);

async function stream(url: string, more: Partial<XeleClientOptions> = {}) {
  const c = createXeleClient({ maUrl: url, msUrl: url, username: "u", password: PASSWORD, retry: false, ...more });
  const seen: unknown[] = [];
  const error = await (async () => {
    for await (const row of c.streamRows("queryOrders")) seen.push(row.OrderSysId);
  })().then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  return { seen, error, inFlight: c.inFlight.MS.inFlight };
}

const clean = (e: Error | undefined) => {
  const text = `${e?.message}\n${e?.stack}\n${JSON.stringify(e)}`;
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(PASSWORD);
};

describe("streamRows through the shared transport", () => {
  it("a server that closes mid-stream: the rows that came, then ConnectionError; the slot is released", async () => {
    const url = await xeleServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(`${HEAD}\n777001|1|1|1\n`);
      setTimeout(() => res.socket?.destroy(), 30);
    });
    const { seen, error, inFlight } = await stream(url);
    expect(seen).toEqual([1]);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error!.message).toMatch(/^xele queryOrders: connection failed/);
    expect(inFlight).toBe(0);
    clean(error);
  });

  for (const road of ["undici", "an injected fetch"] as const) {
    it(`a server that goes silent mid-stream → TimeoutError naming the ms (${road}: the timeout bounds each wait for the next chunk)`, async () => {
      const url = await xeleServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write(`${HEAD}\n777001|1|1|1\n`);
        // Rows keep coming for longer than the timeout, each well within it (a third of it: a
        // loaded machine's timers drift): no timeout for those.
        let n = 2;
        const more = setInterval(() => (n <= 6 ? res.write(`777001|${n++}|1|1\n`) : clearInterval(more)), 100);
        res.on("close", () => clearInterval(more));
      });
      const started = performance.now();
      const { seen, error } = await stream(url, { timeoutMs: 300, ...(road === "undici" ? {} : { fetch: (i: RequestInfo | URL, init?: RequestInit) => fetch(i, init) }) });
      expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error!.message).toContain("300 ms");
      expect(performance.now() - started).toBeLessThan(3_000);
      clean(error);
    });
  }

  it("a server that trickles a byte at a time, never a row → TimeoutError after the rows that came (each wait for the next row is bounded too); the slot is released", async () => {
    const url = await xeleServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(`${HEAD}\n777001|1|1|1\n777001|`);
      const drip = setInterval(() => res.write("9"), 40);
      res.on("close", () => clearInterval(drip));
    });
    const started = performance.now();
    const { seen, error, inFlight } = await stream(url, { timeoutMs: 300 });
    expect(seen).toEqual([1]);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error!.message).toBe("xele queryOrders: no row within 300 ms while the answer kept sending bytes (a server that trickles): not read further");
    expect((error as TimeoutError).timeoutMs).toBe(300);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(inFlight).toBe(0);
    clean(error);
  });

  it("a caller slower than the timeout between rows is not timed out: the wait counts from when it asks for the next row", async () => {
    const url = await xeleServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(`${HEAD}\n`);
      let n = 1;
      // One row per chunk, a byte of the next row in each (the server's rows come steadily).
      const more = setInterval(() => (n <= 3 ? res.write(`777001|${n++}|1|1\n`) : (clearInterval(more), res.end())), 20);
      res.on("close", () => clearInterval(more));
    });
    const c = createXeleClient({ maUrl: url, msUrl: url, username: "u", password: PASSWORD, retry: false, timeoutMs: 200 });
    const seen: unknown[] = [];
    for await (const row of c.streamRows("queryOrders")) {
      seen.push(row.OrderSysId);
      await new Promise((r) => setTimeout(r, 350));
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it("no answer at all → TimeoutError; the client's signal → AbortedError", async () => {
    const url = await xeleServer(() => undefined);
    expect((await stream(url, { timeoutMs: 120 })).error).toBeInstanceOf(TimeoutError);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 80);
    const aborted = await stream(url, { signal: controller.signal, timeoutMs: 10_000 });
    expect(aborted.error).toBeInstanceOf(AbortedError);
    clean(aborted.error);
  });

  it("an error answer to a stream that trickles (or floods) is read within the timeout and the size limit (the stream's timer had stopped at its headers)", async () => {
    const trickle = await xeleServer((_req, res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      const t = setInterval(() => res.write("x"), 300);
      res.on("close", () => clearInterval(t));
    });
    for (const timeoutMs of [1_500, 5_200]) {
      const started = performance.now();
      const { error, inFlight } = await stream(trickle, { timeoutMs });
      expect(error).toBeInstanceOf(TimeoutError);
      expect(performance.now() - started).toBeLessThan(timeoutMs + 1_800);
      expect(inFlight).toBe(0);
    }
    const flood = await xeleServer((_req, res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      const t = setInterval(() => res.write(Buffer.alloc(64 * 1024, 120)), 5);
      res.on("close", () => clearInterval(t));
    });
    const { error } = await stream(flood, { timeoutMs: 20_000, maxResponseBytes: 1024 * 1024 });
    expect(error).toBeInstanceOf(ResponseTooLargeError);
  }, 20_000);

  it("a redirect is refused; an HTML error page is an HttpError with the token removed", async () => {
    const redirecting = await xeleServer((req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:1/elsewhere${req.url}` });
      res.end();
    });
    const r = await stream(redirecting);
    expect(r.error).toBeInstanceOf(RedirectError);
    clean(r.error);

    const failing = await xeleServer((req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end(`<html>bad gateway for ${req.url} token=${TOKEN}</html>`);
    });
    const h = await stream(failing);
    expect(h.error).toBeInstanceOf(HttpError);
    expect((h.error as HttpError).status).toBe(502);
    clean(h.error);
  });

  for (const road of ["undici", "an injected fetch"] as const) {
    it(`an answer in a charset this runtime cannot decode: PipeRowsError naming the operation; the response is let go, then the slot (${road})`, async () => {
      let closed = 0;
      const url = await xeleServer((_req, res) => {
        res.on("close", () => closed++);
        res.writeHead(200, { "content-type": "text/plain; charset=x-no-such-charset" });
        res.write(`${HEAD}\n`);
        // A long answer still coming: only the client can end it.
        const more = setInterval(() => res.write("777001|1|1|1\n"), 20);
        res.on("close", () => clearInterval(more));
      });
      const c = createXeleClient({ maUrl: url, msUrl: url, username: "u", password: PASSWORD, retry: false, timeoutMs: 60_000, maxInFlight: 1, ...(road === "undici" ? {} : { fetch: (i: RequestInfo | URL, init?: RequestInit) => fetch(i, init) }) });
      for (let attempt = 0; attempt < 3; attempt++) {
        const error = await (async () => {
          for await (const _row of c.streamRows("queryOrders"));
        })().then(() => undefined, (e: unknown) => e as Error);
        expect(error).toBeInstanceOf(PipeRowsError);
        expect(error!.message).toBe('xele queryOrders: "|" row answer: unknown charset "x-no-such-charset" in the answer\'s Content-Type');
        expect((error as PipeRowsError).operation).toBe("queryOrders");
        expect(c.inFlight.MS.inFlight).toBe(0);
        // The client ended the response (the connection is not left busy).
        await expect.poll(() => closed, { timeout: 2_000 }).toBe(attempt + 1);
      }
    });
  }

  it("a row line that never ends stops at the client's maxResponseBytes (ResponseTooLargeError), the slot released", async () => {
    let written = 0;
    const url = await xeleServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(`${HEAD}\n777|1|2|`);
      const chunk = Buffer.alloc(64 * 1024, 0x37);
      const pump = () => {
        while (!res.destroyed && written < 32 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
      };
      res.on("drain", pump);
      pump();
    });
    const { seen, error, inFlight } = await stream(url, { maxResponseBytes: 512 * 1024 });
    expect(seen).toEqual([]);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error!.message).toMatch(/^xele queryOrders: the row stream holds a line .* longer than 524288 characters/);
    expect(written).toBeLessThan(8 * 1024 * 1024);
    expect(inFlight).toBe(0);
    clean(error);
  });
});

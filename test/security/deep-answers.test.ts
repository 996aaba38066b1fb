/**
 * Answers nested deeper than the engine's stack. `JSON.parse` takes any depth, but
 * `JSON.stringify`, `String()` of an array and recursive walks throw a RangeError on a few
 * thousand levels. A server that answers `[[[[…]]]]` (300 000 levels, 600 kB) must get the
 * call a typed error naming the operation, never a bare RangeError out of a message builder.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { expectXlsx } from "../../src/handwritten/bhex/download.js";
import { paginate } from "../../src/handwritten/bhex/paginate.js";
import { ResponseFormatError } from "../../src/handwritten/core/errors.js";
import { MAX_JSON_DEPTH, nestedTooDeep, parseJson } from "../../src/handwritten/core/json.js";
import { decodeFrame } from "../../src/handwritten/quant-ws/frames.js";
import { QuantWsFrameError } from "../../src/handwritten/quant-ws/errors.js";
import { checkSchema } from "../../src/handwritten/core/validate.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { rejection } from "../helpers/rejection.js";

const DEEP = "[".repeat(300_000) + "]".repeat(300_000);

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function answering(body: string): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const common = { retry: false as const, timeoutMs: 5_000 };
const RUN: Record<string, (url: string) => Promise<unknown>> = {
  xt: (url) => createXtClient({ accessKey: "ak-deep-1", secretKey: "sk-deep-1", baseUrl: url, rateLimit: false, ...common }).call("getBalance"),
  bhex: (url) => createBhexOrgClient({ accessKey: "ak-deep-1", secretKey: "sk-deep-1", baseUrl: url, rateLimit: false, ...common }).call("userGetBaseInfo", { user_id: "1" }),
  hubi: (url) => createHubiClient({ accessKey: "ak-deep-1", secretKey: "sk-deep-1", accessToken: "tk-deep-1", baseUrl: url, ...common }).call("cancelOrder", { order_no: "1" }),
};

describe.each(Object.keys(RUN))("%s: an answer nested 300 000 levels deep", (api) => {
  it.each([
    ["the whole answer", DEEP],
    ["an envelope without its code, holding it", `{"data":${DEEP},"result":${DEEP}}`],
  ])("%s: a ResponseFormatError naming the operation", async (_what, body) => {
    const e = await rejection(RUN[api]!(await answering(body)));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(new RegExp(`^${api} \\w+: `));
    expect(e.message.length).toBeLessThan(1_000);
  });
});

describe("helpers that show a server's value in a message", () => {
  const deep = parseJson(DEEP);

  it("a BHEX page whose record id is nested that deep: a ResponseFormatError", async () => {
    const client = { call: async () => [{ id: deep }] };
    const e = await rejection((async () => {
      for await (const _ of paginate(client as never, "accountBalanceFlow", { user_id: 1, limit: 5 } as never)) void _;
    })());
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain("too deep to show");
  });

  it("a BHEX download answered with JSON that deep: a ResponseFormatError", () => {
    expect(() => expectXlsx({ result: deep })).toThrow(ResponseFormatError);
  });

  it("the schema check names the value by its type", () => {
    expect(checkSchema(deep, { type: "array", enum: [[1]] }, "data").map((p) => p.message)).toEqual(["data must be [1], got (array too deep to show)"]);
  });
});

describe("nesting that would block the thread while it parses", () => {
  // JSON.parse reads "[[[[…" about ten times slower per byte than flat data: 16 MiB of it held
  // the event loop for five seconds (a quant-ws frame), 64 MiB twenty (a REST answer).
  const HUGE = "[".repeat(4_000_000) + "]".repeat(4_000_000);

  it("a REST answer nested past MAX_JSON_DEPTH is refused before it is parsed", async () => {
    const url = await answering(HUGE);
    const started = performance.now();
    const e = await rejection(RUN.xt!(url));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toBe(`xt getBalance: the answer is JSON nested deeper than ${MAX_JSON_DEPTH} levels: not read`);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("a quant-ws frame the same, unclosed too", () => {
    for (const text of [HUGE, `{"op":"pong","data":${"[".repeat(4_000_000)}`]) {
      const started = performance.now();
      const e = (() => {
        try {
          decodeFrame(text);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(QuantWsFrameError);
      expect((e as Error).message).toContain(`frame is JSON nested deeper than ${MAX_JSON_DEPTH} levels: not read`);
      expect(performance.now() - started).toBeLessThan(500);
    }
    // The cids its top level gives (not one nested in its data) are read, in linear time.
    const deep = "[".repeat(2_000_000) + "]".repeat(2_000_000);
    const cidsOf = (text: string) => {
      try {
        decodeFrame(text);
      } catch (err) {
        return (err as QuantWsFrameError).cids;
      }
    };
    const started = performance.now();
    expect(cidsOf(`{"op":"asset","data":{"cid":"inner","x":${deep}},"cid":"c-1"}`)).toEqual(["c-1"]);
    expect(cidsOf(`{"op":"asset","cid":"c-1","cid":"c-2","data":${"[".repeat(4_000_000)}`)).toEqual(["c-1", "c-2"]);
    expect(cidsOf(`{"op":"asset","data":${deep}`)).toEqual([]);
    // A member it cannot read (a bad escape, an unended string) names no cid: still a frame error.
    for (const bad of [`{"op":"asset","x\\q":1,"cid":"c-1","data":${deep}}`, `{"op":"asset","cid":"\\u12","data":${deep}}`, `{"op":"asset","cid":"c-1","data":${deep},"y":"unended`]) {
      expect(() => decodeFrame(bad)).toThrow(QuantWsFrameError);
    }
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("what is scanned: long texts only; brackets inside strings do not count; the limit itself passes", () => {
    expect(nestedTooDeep("[".repeat(200_000))).toBe(false); // short: parses quickly whatever it holds
    const atLimit = "[".repeat(MAX_JSON_DEPTH) + " ".repeat(300_000) + "]".repeat(MAX_JSON_DEPTH);
    expect(nestedTooDeep(atLimit)).toBe(false);
    expect(nestedTooDeep(`[${atLimit}]`)).toBe(true);
    expect(nestedTooDeep(JSON.stringify({ a: "[".repeat(400_000), b: '\\"[[' }))).toBe(false);
  });
});

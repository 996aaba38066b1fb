/**
 * The HTTP emulators read a JSON request body only where the operation takes one, and a body
 * nested without end is refused unread: a probe's 4 streams of 1 MB `[[[…]]]` bodies to XT's
 * form-only /trade/api/v1/order, without credentials, held every emulator in the process
 * (another client's ping went from 49 ms to 736 ms).
 */
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { meta as xeleMeta } from "../../generated/xele-mgmt.docs.js";
import { meta as xtMeta } from "../../generated/xt-spot.docs.js";
import { parseJson } from "../../src/handwritten/core/json.js";
import { MOCK_MAX_JSON_DEPTH, startHttpMock, type MockRequest } from "../../src/mock/http-mock.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { MAX_XELE_REQUEST_CHARS } from "../../src/mock/xele/state.js";
import { closedAfterEach } from "../helpers/closing.js";

const { started } = closedAfterEach();

/** The longest the event loop was held while `run` ran (a 5 ms timer's largest late start). */
async function longestStall(run: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return worst;
}

/**
 * The most a stall may be: half of what one JSON.parse of `body` takes here and now (what each
 * request cost before), and at least `floor` ms (a loaded machine's own pauses).
 */
function stallBound(body: string, floor: number): number {
  const t0 = performance.now();
  try {
    JSON.parse(body);
  } catch {
    // (the cost is the point)
  }
  return Math.max(floor, (performance.now() - t0) / 2);
}

/** What a handler saw as `req.json`. */
const seen = (req: MockRequest) => ({ body: { json: req.json === undefined ? "none" : req.json } });
/** A JSON request (any method: a GET may carry a body) and its JSON answer. */
const post = (url: string, body: string, method = "POST") =>
  new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: parseJson(text) as Record<string, unknown> }));
    });
    req.on("error", reject);
    req.end(body);
  });
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

describe("a JSON body is read only where the operation takes one", () => {
  const jsonOp = xeleMeta.operations.find((o) => o.operationId === "createCashInOut")!;

  it("a form-only route (XT order) gets no parsed JSON, however the body says it is JSON; a JSON route does", async () => {
    const xt = await started(startHttpMock({ meta: xtMeta, handlers: { order: seen } }));
    expect((await post(`${xt.url}/trade/api/v1/order`, '{"market":"btc_usdt"}')).body).toEqual({ json: "none" });
    const xele = await started(startHttpMock({ meta: { ...xeleMeta, operations: [jsonOp] }, handlers: { createCashInOut: seen } }));
    expect((await post(`${xele.url}${jsonOp.path}`, '{"id":12345678901234567891}')).body).toEqual({ json: { id: 12345678901234567891n } });
  });

  it(`a JSON body nested deeper than ${MOCK_MAX_JSON_DEPTH} levels is not read; one at the limit is`, async () => {
    const xele = await started(startHttpMock({ meta: { ...xeleMeta, operations: [jsonOp] }, handlers: { createCashInOut: seen } }));
    const url = `${xele.url}${jsonOp.path}`;
    expect(JSON.stringify((await post(url, nested(MOCK_MAX_JSON_DEPTH))).body)).toBe(JSON.stringify({ json: JSON.parse(nested(MOCK_MAX_JSON_DEPTH)) }));
    expect((await post(url, nested(MOCK_MAX_JSON_DEPTH + 1))).body).toEqual({ json: "none" });
  });

  it("4 MiB bodies of `[` to a form route and to a JSON route hold the process a moment, not a second each", async () => {
    const max = 8 * 1024 * 1024;
    const xt = await started(startHttpMock({ meta: xtMeta, maxBodyBytes: max }));
    const xele = await started(startHttpMock({ meta: { ...xeleMeta, operations: [jsonOp] }, maxBodyBytes: max, handlers: { createCashInOut: seen } }));
    const body = "[".repeat(4 * 1024 * 1024);
    const bound = stallBound(body, 400);
    const answers: number[] = [];
    const stall = await longestStall(async () => {
      for (let i = 0; i < 2; i++) {
        answers.push((await post(`${xt.url}/trade/api/v1/order`, body)).status);
        answers.push((await post(`${xele.url}${jsonOp.path}`, body)).status);
      }
    });
    expect(answers).toEqual([200, 200, 200, 200]);
    // (each was ~1.2 s of JSON.parse)
    expect(stall).toBeLessThan(bound);
  });
});

describe("xele reads no request it cannot bound (its JSON is read before the token)", () => {
  it(`a request nested deeper than ${MOCK_MAX_JSON_DEPTH} levels is 104, one longer than ${MAX_XELE_REQUEST_CHARS} characters 116, unread; the next login works`, async () => {
    const xele = await started(startXeleMock());
    const login = `${xele.maUrl}/login`;
    const deep = `{"client_version":"1.0.1","username":${nested(MOCK_MAX_JSON_DEPTH)},"password":"p"}`;
    expect((await post(login, deep)).body).toMatchObject({ code: 104, msg: expect.stringContaining(`nested deeper than ${MOCK_MAX_JSON_DEPTH} levels`) });
    // A query's body too (writes were bounded at 16 KiB after they were read).
    const long = `{"token":"t","data":{},"pad":"${"x".repeat(MAX_XELE_REQUEST_CHARS)}"}`;
    const query = xeleMeta.operations.find((o) => o.method === "GET" && o.operationId === "getCashInOut")!;
    expect((await post(`${xele.msUrl}${query.path}`, long, "GET")).body).toMatchObject({ code: 116, msg: expect.stringContaining(`request longer than ${MAX_XELE_REQUEST_CHARS} characters`) });
    const bound = stallBound("[".repeat(1024 * 1024), 200);
    const stall = await longestStall(() => Promise.all(Array.from({ length: 4 }, () => post(login, "[".repeat(1024 * 1024)))));
    expect(stall).toBeLessThan(bound);
    expect(xele.received).toEqual([]);
    expect((await post(login, JSON.stringify({ client_version: "1.0.1", username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD }))).body).toMatchObject({ code: 0 });
  });
});

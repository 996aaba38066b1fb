/**
 * A caller's observers fail on their own: `onEvent` that throws, or an async one whose promise
 * rejects, leaves the call's outcome as it was (an order the server placed is not reported as a
 * failed call; a failed call keeps its own typed error) and becomes a process warning (Xele's
 * `log` too); a
 * quant-ws listener's rejection goes to the client's error event. Neither is an unhandled
 * rejection, which would end the process.
 */
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { ApiError } from "../../src/handwritten/core/errors.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { creds, payloads, rejection, setup } from "../quant-ws/helpers.js";
import { captureWarnings } from "../helpers/warnings.js";

let warnings: Error[];
let restoreWarnings: () => void;
let unhandled: unknown[];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeEach(() => {
  ({ warnings, restore: restoreWarnings } = captureWarnings());
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  restoreWarnings();
  process.off("unhandledRejection", onUnhandled);
});
/** Warnings are emitted on the next tick, unhandled rejections after the microtasks. */
const settled = () => new Promise((r) => setTimeout(r, 20));

// XT's order id is a bare int64 (exact: a bigint above 2^53).
const placed = () => recordingFetch(() => json(null, 200, '{"code":200,"info":"SUCCESS","data":{"id":9007199254740993}}'));
const order = { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 } as const;

describe("a client's onEvent that fails", () => {
  it("throws: the order the server placed is the call's result, sent once; a TradeApiWarning names the failure", async () => {
    const { fetch, calls } = placed();
    const xt = createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", rateLimit: false, fetch, onEvent: () => {
      throw new Error("log sink full (sync)");
    } });
    await expect(xt.call("order", order)).resolves.toEqual({ id: 9007199254740993n });
    expect(calls).toHaveLength(1);
    await settled();
    expect(warnings.map((w) => [w.name, w.message])).toEqual([["TradeApiWarning", expect.stringContaining("Error: log sink full (sync)")]]);
  });

  it("throws on a failed call: the call's own typed error, not the listener's", async () => {
    const { fetch } = recordingFetch(() => json({ code: 110, info: "insufficient balance" }));
    const xt = createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", rateLimit: false, fetch, onEvent: () => {
      throw new Error("log sink full (failed call)");
    } });
    const e = await rejection(xt.call("order", order));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ operation: "order", code: 110 });
    await settled();
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining("log sink full (failed call)")]);
  });

  it("is async and rejects: no unhandled rejection; the result stands; a warning", async () => {
    const { fetch } = placed();
    const xt = createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", rateLimit: false, fetch, onEvent: async () => {
      throw new Error("log sink full (async)");
    } });
    await expect(xt.call("order", order)).resolves.toEqual({ id: 9007199254740993n });
    await settled();
    expect(unhandled).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining("log sink full (async)")]);
  });
});

describe("two clients whose onEvent fails alike", () => {
  it("each warns (once per message): one client's warning does not silence another's", async () => {
    const make = (sink: string) =>
      createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", rateLimit: false, fetch: placed().fetch, onEvent: () => {
        throw new Error(`log sink ${sink} full`);
      } });
    const [a, b] = [make("same"), make("same")];
    await a.call("order", order);
    await a.call("order", order);
    await b.call("order", order);
    await settled();
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining("log sink same full"), expect.stringContaining("log sink same full")]);
  });
});

describe("Xele's log option that fails", () => {
  it("throws after the login: the login and the call stand; a warning names the log option", async () => {
    const mock = await startXeleMock();
    onTestFinished(() => mock.close());
    const xele = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, log: (line) => {
      if (line.includes("logged in")) throw new Error("log file closed");
    } });
    await expect(xele.call("getCounterStatus")).resolves.toBeDefined();
    expect(mock.stats.logins).toBe(1);
    await settled();
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^log failed \(the call is not affected\): Error: log file closed$/)]);
  });
});

describe("a quant-ws listener that fails", () => {
  it("an async listener's rejection is the client's error event, not an unhandled rejection; the other listeners still get the event", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const errors: unknown[] = [];
    client.on("error", (e) => errors.push(e));
    const got: string[] = [];
    session.on("order", async () => {
      throw new Error("order handler failed");
    });
    session.on("order", (o) => got.push(o.order_no));
    mock.sendRaw(JSON.stringify({ op: "notify", topic: "order", token: session.token, data: payloads.order({ order_no: "42" }) }));
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual(["42"]);
    expect(unhandled).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ cause: expect.objectContaining({ message: "order handler failed" }) })]);
  });
});

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  AuthError,
  ConnectionError,
  CredentialsError,
  HttpError,
  InsufficientFundsError,
  InvalidRequestError,
  OrderNotFoundError,
  RateLimitError,
  ResponseFormatError,
  ServiceUnavailableError,
  TimeoutError,
  TimestampError,
  TradeApiError,
} from "../../src/handwritten/core/errors.js";
import { createHubiClient, type HubiClientOptions } from "../../src/handwritten/hubi/client.js";
import { hubiErrorCode } from "../../src/handwritten/hubi/errors.js";

const CREDS = { accessKey: "ak-err-test", secretKey: "sk-err-very-secret", accessToken: "tok-err-very-secret" };

/** A client whose fetch answers `response` and remembers the signature it was sent. */
function clientAnswering(response: () => Response, extra: Partial<HubiClientOptions> = {}) {
  const sent: string[] = [];
  const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
    const sig = new Headers(init?.headers).get("x-api-signature");
    if (sig) sent.push(sig);
    return response();
  }) as typeof globalThis.fetch;
  const c = createHubiClient({ ...CREDS, baseUrl: "https://hubi.test", fetch, retry: false, ...extra });
  return { c, sent };
}

const body = (value: unknown, status = 200, contentType = "application/json") =>
  new Response(typeof value === "string" ? value : JSON.stringify(value), { status, headers: { "content-type": contentType } });

async function failure(p: Promise<unknown>): Promise<TradeApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TradeApiError);
    return e as TradeApiError;
  }
  throw new Error("expected the call to fail");
}

function expectNoSecrets(message: string, signatures: string[]) {
  expect(message).not.toContain(CREDS.secretKey);
  expect(message).not.toContain(CREDS.accessToken);
  for (const s of signatures) expect(message).not.toContain(s);
}

const CANCEL = ["cancelOrder", { order_no: "O101-1" }] as const;
const ACCOUNTS = ["queryAccounts", {}] as const;
const AMEND = ["amendOrder", { order_no: "O101-1", price: 1 }] as const;
const ENTER = [
  "enterOrder",
  { coin_code: "USDT", symbol: "BTCUSD", open_position: true, quantity: 1, trade_direction: "BUY", order_type: "MARKET" },
] as const;

describe.each([
  { given: "ILLEGAL_SIGN, HTTP 401", call: ACCOUNTS, status: 401, answer: { status: -1, message: "ILLEGAL_SIGN" }, cls: AuthError, code: "ILLEGAL_SIGN", text: "X-API-Signature does not match" },
  { given: "ILLEGAL_SIGN, HTTP 200", call: CANCEL, status: 200, answer: { status: -1, message: "ILLEGAL_SIGN" }, cls: AuthError, code: "ILLEGAL_SIGN", text: "X-API-Signature does not match" },
  { given: "ILLEGAL_TIMESTAMP", call: ACCOUNTS, status: 401, answer: { status: -1, message: "ILLEGAL_TIMESTAMP" }, cls: TimestampError, code: "ILLEGAL_TIMESTAMP", text: "check the local clock" },
  { given: "ILLEGAL_NONCE", call: CANCEL, status: 200, answer: { status: -1, message: "ILLEGAL_NONCE" }, cls: TimestampError, code: "ILLEGAL_NONCE", text: "already used" },
  { given: "ILLEGAL_ACCESS_KEY with a detail", call: CANCEL, status: 401, answer: { status: -1, message: "ILLEGAL_ACCESS_KEY: unknown key" }, cls: AuthError, code: "ILLEGAL_ACCESS_KEY", text: "unknown key" },
  { given: "ILLEGAL_ARGUMENT", call: CANCEL, status: 400, answer: { status: -1, message: "ILLEGAL_ARGUMENT" }, cls: InvalidRequestError, code: "ILLEGAL_ARGUMENT", text: "Bad or missing request parameter" },
  { given: "25021 in status", call: ENTER, status: 200, answer: { status: 25021, message: "资金不足" }, cls: InsufficientFundsError, code: 25021, text: "Insufficient funds" },
  { given: "25021 inside the message", call: ENTER, status: 200, answer: { status: -1, message: "25021 资金不足" }, cls: InsufficientFundsError, code: 25021, text: "Insufficient funds" },
  { given: "25005, HTTP 500 (as the vendor doc shows for amend_order)", call: AMEND, status: 500, answer: { status: -1, message: "25005 订单未发现" }, cls: OrderNotFoundError, code: 25005, text: "Order not found" },
  { given: "25005 on a query (bare-answer op)", call: ACCOUNTS, status: 200, answer: { status: 25005, message: "订单未发现" }, cls: OrderNotFoundError, code: 25005, text: "Order not found" },
  { given: "25009 invalid quantity", call: ENTER, status: 200, answer: { status: -1, message: "25009" }, cls: InvalidRequestError, code: 25009, text: "Invalid order quantity" },
  { given: "25008 daily limit", call: ENTER, status: 200, answer: { status: -1, message: "25008 每日订单超出限制" }, cls: RateLimitError, code: 25008, text: "Daily order limit" },
  { given: "-1 with free text", call: CANCEL, status: 200, answer: { status: -1, message: "something odd" }, cls: ApiError, code: -1, text: "something odd" },
])("$given", ({ call, status, answer, cls, code, text }) => {
  it(`is a ${cls.name} naming the operation, the code and its meaning`, async () => {
    const { c, sent } = clientAnswering(() => body(answer, status));
    const e = (await failure(c.call(call[0] as never, call[1] as never))) as ApiError;
    expect(e).toBeInstanceOf(cls);
    expect(e.constructor).toBe(cls);
    expect(e.code).toBe(code);
    expect(e.operation).toBe(call[0]);
    expect(e.message).toContain(`hubi ${call[0]}: code ${code}`);
    expect(e.message).toContain(text);
    expect(e.httpStatus).toBe(status);
    expectNoSecrets(e.message, sent);
  });
});

it("amend_order's HTTP 500 is its documented failure answer (x-definite-failure): the code's class, no outcomeUnknown; another operation's 500 leaves its outcome unknown", async () => {
  // The vendor document shows amend_order failing with HTTP 500 and {status: -1, message}: the order was not amended.
  const notFound = (await failure(clientAnswering(() => body({ status: -1, message: "25005 订单未发现" }, 500)).c.call(...AMEND))) as ApiError;
  expect(notFound).toBeInstanceOf(OrderNotFoundError);
  expect(notFound.outcomeUnknown).toBeUndefined();
  expect(notFound.message).not.toMatch(/may have reached the server/);
  // The code printed once (it was "code 25005 25005 订单未发现").
  expect(notFound.message).toMatch(/^hubi amendOrder: code 25005 订单未发现 \(Order not found\)/);
  const generic = (await failure(clientAnswering(() => body({ status: -1, message: "error_message" }, 500)).c.call(...AMEND))) as ApiError;
  expect(generic.constructor).toBe(ApiError);
  expect(generic).toMatchObject({ code: -1, kind: "other", httpStatus: 500 });
  expect(generic.outcomeUnknown).toBeUndefined();
  // A crash page in that status (Spring Boot's {"status": 500, "error": …}) carries no code of the table: outcome unknown.
  const crash = (await failure(clientAnswering(() => body({ timestamp: "2026-12-06T00:00:00Z", status: 500, error: "Internal Server Error", path: "/api/v1/amend_order" }, 500)).c.call(...AMEND))) as ApiError;
  expect(crash).toBeInstanceOf(ServiceUnavailableError);
  expect(crash.outcomeUnknown).toBe(true);
  // enter_order documents no such answer: a 500 there is the server's failure, its outcome unknown.
  const enter = (await failure(clientAnswering(() => body({ status: -1, message: "error_message" }, 500)).c.call(...ENTER))) as ApiError;
  expect(enter).toBeInstanceOf(ServiceUnavailableError);
  expect(enter.outcomeUnknown).toBe(true);
});

it("ILLEGAL_SIGN and ILLEGAL_TIMESTAMP are distinguishable", async () => {
  const sign = await failure(clientAnswering(() => body({ status: -1, message: "ILLEGAL_SIGN" })).c.call("queryAccounts"));
  const time = await failure(clientAnswering(() => body({ status: -1, message: "ILLEGAL_TIMESTAMP" })).c.call("queryAccounts"));
  expect(sign).toBeInstanceOf(AuthError);
  expect(sign).not.toBeInstanceOf(TimestampError);
  expect(time).toBeInstanceOf(TimestampError);
  expect(time).toBeInstanceOf(AuthError);
});

describe("hubiErrorCode (the spec's lookup order)", () => {
  it.each([
    [25021, undefined, 25021],
    [-1, "ILLEGAL_SIGN", "ILLEGAL_SIGN"],
    [-1, " ILLEGAL_SCOPE ", "ILLEGAL_SCOPE"],
    [-1, "rejected: ILLEGAL_CLIENT_IP (1.2.3.4)", "ILLEGAL_CLIENT_IP"],
    [-1, "error 25035: 仓位不存在", 25035],
    [-1, "order 125005 not parsed", -1],
    [-1, "ILLEGAL_UNKNOWN", -1],
    [-1, undefined, -1],
    [25099, "x", 25099],
    // Names every object has are no codes of the table (a message "constructor" was the code).
    [-1, "constructor", -1],
    [-1, " __proto__ ", -1],
    [-1, "toString", -1],
    ["constructor", undefined, "constructor"],
  ])("status %j, message %j → %j", (status, message, want) => {
    expect(hubiErrorCode(status, message)).toBe(want);
  });
});

describe("answers that are not Hubi errors", () => {
  it("HTTP 500 with an HTML page is an HttpError with a redacted snippet", async () => {
    const page = `<html><body>500 Internal Server Error; Authorization: Bearer ${CREDS.accessToken} key=${CREDS.secretKey}</body></html>`;
    const { c, sent } = clientAnswering(() => body(page, 500, "text/html"));
    const e = await failure(c.call(...CANCEL));
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(500);
    expect(e.message).toContain("hubi cancelOrder: HTTP 500");
    expectNoSecrets(e.message, sent);
  });

  it("HTTP 200 with an HTML page is a ResponseFormatError", async () => {
    const { c } = clientAnswering(() => body("<html>maintenance</html>", 200, "text/html"));
    const e = await failure(c.call(...ACCOUNTS));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(/hubi queryAccounts: expected JSON but got an HTML page/);
  });

  it("an action answer without `status` is a ResponseFormatError", async () => {
    const { c } = clientAnswering(() => body({ result: null }));
    const e = await failure(c.call(...CANCEL));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain("hubi cancelOrder: expected a {status, result, message} answer");
  });

  it("a status beyond 2^53, as digits or as a number, is the code with every digit (not rounded, not a format error)", async () => {
    for (const text of ['{"status":"9007199254740993","message":"weird"}', '{"status":9007199254740993,"message":"weird"}']) {
      const { c } = clientAnswering(() => body(text));
      const e = await failure(c.call(...CANCEL));
      expect(e, text).toBeInstanceOf(ApiError);
      expect((e as ApiError).code, text).toBe("9007199254740993");
      expect(e.message, text).toBe("hubi cancelOrder: code 9007199254740993 weird");
    }
  });

  it("a successful query answer is returned as is", async () => {
    const accounts = [{ currency: "USDT", cash: 1, withdrawableCash: 0.5, frozenCash: 0.5, urPnl: 0 }];
    const { c } = clientAnswering(() => body(accounts));
    await expect(c.call("queryAccounts")).resolves.toEqual(accounts);
  });
});

describe("transport failures", () => {
  it("connection refused is a ConnectionError", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const c = createHubiClient({ ...CREDS, baseUrl: `http://127.0.0.1:${port}`, retry: false });
    const e = await failure(c.call(...ACCOUNTS));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toMatch(/^hubi queryAccounts: connection failed/);
    expectNoSecrets(e.message, []);
  });

  it("no answer in time is a TimeoutError", async () => {
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      const c = createHubiClient({ ...CREDS, baseUrl: `http://127.0.0.1:${port}`, retry: false, timeoutMs: 150 });
      const e = await failure(c.call(...CANCEL));
      expect(e).toBeInstanceOf(TimeoutError);
      // A cancel that changes state: the request was sent, its outcome is unknown (test/core/outcome-unknown.test.ts).
      expect(e.message).toBe("hubi cancelOrder: no answer within 150 ms; the request may have reached the server and taken effect: look it up before sending it again");
      expect(e).toMatchObject({ outcomeUnknown: true, timeoutMs: 150 });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe.each([
  { missing: "accessKey", env: "HUBI_ACCESS_KEY" },
  { missing: "secretKey", env: "HUBI_SECRET_KEY" },
  { missing: "accessToken", env: "HUBI_ACCESS_TOKEN" },
])("without $missing", ({ missing, env }) => {
  it("is a CredentialsError naming the option (not the environment: the library never reads it), and sends nothing", async () => {
    let calls = 0;
    const fetch = (async () => {
      calls++;
      return body([]);
    }) as unknown as typeof globalThis.fetch;
    const c = createHubiClient({ ...CREDS, [missing]: undefined, baseUrl: "https://hubi.test", fetch });
    const e = await failure(c.call(...ACCOUNTS));
    expect(e).toBeInstanceOf(CredentialsError);
    expect(e.message).toBe(`hubi queryAccounts: missing ${missing}: pass { ${missing} } to the client`);
    expect(e.message).not.toContain(env);
    expect(calls).toBe(0);
    expectNoSecrets(e.message, []);
  });
});

/**
 * `--decimals` reaches every client the CLI builds (and is what an error about an answer's
 * decimal advises), and `call quant-ws cancel_order` with an
 * empty order_nos (the gateway's cancel-all, answered by no reply) is confirmed by
 * cancelAll instead of timing out.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import { runCliCaptured } from "../helpers/cli.js";
import { framesOf, startMock } from "../quant-ws/helpers.js";

let xt: HttpMock;
beforeAll(async () => {
  xt = await startXtMock();
});
afterAll(async () => {
  await xt.close();
});
const xtEnv = () => ({ XT_BASE_URL: xt.url, XT_ACCESS_KEY: XT_MOCK_ACCESS_KEY, XT_SECRET_KEY: XT_MOCK_SECRET_KEY });

/** A server that answers every request with `body` (JSON), and the CLI's environment pointing XT at it. */
async function answering(body: string) {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, env: { ...xtEnv(), XT_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } };
}

describe("tradeapi call --decimals", () => {
  it("string: every decimal exactly as the server wrote it", async () => {
    const asNumbers = await runCliCaptured(["call", "xt", "getMarketConfig"], xtEnv());
    expect(asNumbers.code).toBe(0);
    expect(asNumbers.stdout).toMatch(/"minAmount": 0\.0001\b/);
    const asText = await runCliCaptured(["call", "xt", "getMarketConfig", "--decimals", "string"], xtEnv());
    expect(asText.code).toBe(0);
    expect(asText.stdout).toMatch(/"minAmount": "0\.0001"/);
    expect(asText.stdout).toMatch(/"pricePoint": 2,/); // integers stay numbers
  });

  it("number rounds a whole number beyond 2^53 in a decimal field too (coinVol), and the help says so", async () => {
    const { server, env } = await answering('{"price":1,"coinVol":9007199254740993,"moneyVol":1,"rate":1,"high":1,"low":1,"ask":1,"bid":1}');
    try {
      const rounded = await runCliCaptured(["call", "xt", "getTicker", "market=btc_usdt", "--decimals", "number"], env);
      expect(rounded.code).toBe(0);
      expect(rounded.stdout).toContain('"coinVol": 9007199254740992');
      expect((await runCliCaptured(["call", "xt", "getTicker", "market=btc_usdt", "--decimals", "string"], env)).stdout).toContain('"coinVol": "9007199254740993"');
    } finally {
      server.close();
    }
    const help = (await runCliCaptured(["call", "xt", "--help"], {})).stdout.replace(/\s+/g, " ");
    expect(help).toContain("numbers with a fraction or exponent, and whole numbers beyond 2^53 in fields the spec gives as decimals");
    expect(help).toContain("number (the nearest double: rounded, 9007199254740993 is printed 9007199254740992)");
  });

  it("an answer's decimal that a double cannot hold is an error whose advice is the flag, not the library option", async () => {
    const { server, env } = await answering('{"code":200,"info":"ok","data":{"btc":{"freeze":"0","available":"1","p":0.1000000000000000000001}}}');
    try {
      const refused = await runCliCaptured(["call", "xt", "getBalance"], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        "tradeapi: error: xt getBalance: the number at data.btc.p (0.1000000000000000000001) does not fit a double without rounding; pass --decimals string to get decimals exactly as sent, or --decimals number to accept the rounded double. Its whole answer, each decimal as the text sent, is on stdout\n",
      );
      expect(refused.json()).toEqual({ code: 200, info: "ok", data: { btc: { freeze: "0", available: "1", p: "0.1000000000000000000001" } } });
      const exact = await runCliCaptured(["call", "xt", "getBalance", "--decimals", "string"], env);
      expect(exact.stdout).toContain('"p": "0.1000000000000000000001"');
    } finally {
      server.close();
    }
  });

  it("an order the server accepted whose answer holds such a decimal: its answer on stdout, and stderr says not to send it again", async () => {
    const { server, env } = await answering('{"code":200,"info":"success","data":{"id":"6216559590087220004","fee":0.1000000000000000000001}}');
    try {
      const r = await runCliCaptured(["call", "xt", "order", "market=btc_usdt", "price=1", "number=1", "type=1", "entrustType=0"], env);
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({ data: { id: "6216559590087220004", fee: "0.1000000000000000000001" } });
      expect(r.stderr).toMatch(/The server accepted the request \(do not send it again\): its whole answer, each decimal as the text sent, is on stdout\n$/);
    } finally {
      server.close();
    }
  });

  it("an unknown mode is a usage error naming the modes", async () => {
    const r = await runCliCaptured(["call", "xt", "getMarketConfig", "--decimals", "strng"], xtEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--decimals takes exact, string, number, got "strng".*string/);
  });
});

describe("tradeapi call quant-ws cancel_order with an empty order_nos", () => {
  it("is sent as the cancel-all it is and confirmed by cancelAll, not left to time out", async () => {
    // (Each CLI call is its own login, and the gateway's orders belong to a login: this call
    // has no open orders to see cancelled; test/quant-ws/cancel-all.test.ts covers those.)
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_PLATFORM: "huobi", QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s" };
    const started = Date.now();
    const r = await runCliCaptured(["call", "quant-ws", "cancel_order", "symbol=ETH/USDT", "order_nos=[]", "--timeout", "5000"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ symbol: "ETH/USDT", confirmedBy: "notifications", cancelled: [] });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(framesOf(mock, "cancel_order").at(-1)).toMatchObject({ order_nos: [] });
  });
});

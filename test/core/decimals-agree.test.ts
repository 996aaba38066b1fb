/**
 * The `decimals` mode says how a decimal is given (a number, the server's text, the nearest
 * double); it must not decide whether an answer is read. A server may write an integer with a
 * fraction or an exponent (`1700000000000.0`, `1.7e12`: a float timestamp of a Python server),
 * and with "string" such a literal is text: a code `200.0` was the text "200.0" (no success
 * code: an ApiError), an integer field `1.7e12` a string (a ResponseFormatError), a pong's ts
 * "missing". Each is now the integer it denotes in every mode; a fraction stays refused in every
 * mode; a code given as a JSON string stays as written.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError, InvalidRequestError, ResponseFormatError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { decodeFrame } from "../../src/handwritten/quant-ws/index.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { fcSeed } from "../helpers/fc-seed.js";

const MODES = ["exact", "string", "number"] as const;
type Mode = (typeof MODES)[number];
const answer = (text: string, status = 200) => async () => new Response(text, { status, headers: { "content-type": "application/json" } });
const xt = (mode: Mode, text: string, status = 200) => createXtClient({ fetch: answer(text, status), decimals: mode, retry: false, rateLimit: false, accessKey: "k", secretKey: "s" });
const outcome = (p: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> => p.then((value) => ({ value }), (error: unknown) => ({ error }));

/** Ways a server writes the integer `n` (each exactly n). */
function spellings(n: number): string[] {
  const digits = String(Math.abs(n));
  const sign = n < 0 ? "-" : "";
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return [String(n), `${n}.0`, `${n}.000`, `${sign}${mantissa}e${digits.length - 1}`, `${sign}${mantissa}E+${digits.length - 1}`, `${n}e0`];
}

describe("every decimals mode reads an integer the server wrote with a fraction or exponent as that integer", () => {
  it("an integer field (XT serverTime) and the envelope's code, in any spelling: the same result in each mode (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.nat(), fc.nat(), async (n, i, j) => {
        const time = spellings(n)[i % 6]!;
        const code = spellings(200)[j % 6]!;
        for (const mode of MODES) {
          const got = await xt(mode, `{"code":${code},"info":"success","data":{"serverTime":${time}}}`).call("getServerTime");
          expect(got, `${mode} ${code} ${time}`).toEqual({ serverTime: n });
        }
      }),
      { seed: fcSeed(20261204), numRuns: 300 },
    );
  });

  it("an integer field beyond 2^53 written with a fraction: its every digit with \"string\"; never a wrong number in another mode", async () => {
    const body = '{"code":200,"info":"success","data":{"serverTime":9007199254740993.0}}';
    expect(await xt("string", body).call("getServerTime")).toEqual({ serverTime: 9007199254740993n });
    // "exact" cannot know the field is an integer (the parser refuses the literal: no double
    // is it); "number" rounds it to 9007199254740992, which an integer field refuses (a
    // rounded id names another order), saying which mode reads it.
    expect((await outcome(xt("exact", body).call("getServerTime"))).error).toMatchObject({ literal: "9007199254740993.0" });
    const e = (await outcome(xt("number", body).call("getServerTime"))).error;
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect((e as Error).message).toContain('data.serverTime is 9007199254740992 as a JavaScript number, beyond 2^53 where a number cannot hold every integer: the server wrote it with a fraction or exponent; decimals: "string" reads it exactly');
  });

  it("an integer the server gave as a JSON string (\"5\") is refused in every mode, as before", async () => {
    for (const mode of MODES) {
      const e = (await outcome(xt(mode, '{"code":200,"info":"success","data":{"serverTime":"1700000000000"}}').call("getServerTime"))).error;
      expect(e, mode).toBeInstanceOf(ResponseFormatError);
    }
  });

  it("a fraction where the spec has an integer is refused in every mode, the number shown as written", async () => {
    for (const mode of MODES) {
      const e = (await outcome(xt(mode, '{"code":200,"info":"success","data":{"serverTime":1700000000000.5}}').call("getServerTime"))).error;
      expect(e, mode).toBeInstanceOf(ResponseFormatError);
      expect((e as Error).message, mode).toContain("data.serverTime must be integer, got 1700000000000.5 ");
    }
  });

  it("a vendor code written 102.0 (a 2xx or a 4xx answer) is code 102 with its meaning and class in every mode; \"102.0\" as a JSON string stays as written", async () => {
    for (const mode of MODES) {
      for (const status of [200, 400]) {
        const e = (await outcome(xt(mode, '{"code":1.02e2,"info":"bad","data":null}', status).call("getBalance"))).error;
        expect(e, `${mode} ${status}`).toBeInstanceOf(InvalidRequestError);
        expect(e, `${mode} ${status}`).toMatchObject({ code: 102, meaning: "Order failed: invalid parameter" });
      }
      const quoted = (await outcome(xt(mode, '{"code":"200.0","info":"odd","data":null}').call("getBalance"))).error;
      expect(quoted, mode).toBeInstanceOf(ApiError);
      expect(quoted, mode).toMatchObject({ code: "200.0" });
    }
  });

  it("Hubi's status 0.0 is a success, 25004.0 its error, in every mode", async () => {
    for (const mode of MODES) {
      const hubi = (text: string) => createHubiClient({ fetch: answer(text), decimals: mode, retry: false, rateLimit: false, accessKey: "k", secretKey: "s", accessToken: "t" });
      const params = { coin_code: "USDT", symbol: "BTCUSD", open_position: true, quantity: "1", price: "9000", trade_direction: "BUY", order_type: "LIMIT" } as never;
      await expect(hubi('{"status":0.0,"result":"7","message":"ok"}').call("enterOrder", params), mode).resolves.toBe("7");
      const e = (await outcome(hubi('{"status":2.5004e4,"message":"x"}').call("enterOrder", params))).error;
      expect(e, mode).toMatchObject({ code: 25004 });
    }
  });

  it("an integer field inside a oneOf (Xele getSystemInfo's OsRunTimeFigure) written 1.0, 1e3 or 1.7e12: that integer in every mode; 2.5 refused in every mode", async () => {
    const xele = (mode: Mode, result: string) => {
      const fetch: typeof globalThis.fetch = async (input) =>
        new Response(String(input).includes("/login") ? '{"ticket":"t-123456"}' : `{"code":0,"msg":"","result":${result}}`, { headers: { "content-type": "application/json" } });
      return createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "p", fetch, retry: false, decimals: mode });
    };
    for (const mode of MODES) {
      for (const [days, want] of [["1.0", 1], ["1e3", 1000], ["1.7e12", 1700000000000]] as const) {
        expect(await xele(mode, `{"CpuNum":1.0,"OsRunTimeFigure":{"Days":${days}}}`).call("getSystemInfo"), `${mode} ${days}`).toEqual({ CpuNum: 1, OsRunTimeFigure: { Days: want } });
        // The other form (a list of them) is read the same way.
        expect(await xele(mode, `{"OsRunTimeFigure":[{"Days":${days},"Secs":5}]}`).call("getSystemInfo"), `${mode} ${days} list`).toEqual({ OsRunTimeFigure: [{ Days: want, Secs: 5 }] });
      }
      const e = (await outcome(xele(mode, '{"OsRunTimeFigure":{"Days":2.5}}').call("getSystemInfo"))).error;
      expect(e, mode).toBeInstanceOf(ResponseFormatError);
      expect((e as Error).message, mode).toContain("result.OsRunTimeFigure matches none of the allowed oneOf forms");
    }
  });

  it("quant-ws: a pong's ts and a state's code written 1700000000000.0 and 5.0 are integers in every mode", () => {
    for (const mode of MODES) {
      expect(decodeFrame('{"op":"pong","ts":1700000000000.0}', mode), mode).toEqual({ kind: "pong", ts: 1700000000000 });
      const state = decodeFrame('{"op":"state","token":"t","code":5.0,"msg":"x"}', mode);
      expect(state.kind === "state" && state.frame.code, mode).toBe(5);
      const fill = decodeFrame('{"op":"notify","topic":"fill","token":"t","data":{"symbol":"x","order_no":"1","fill_no":"f","price":1,"quantity":1,"side":"BUY","liquidity":"TAKER","ctime":1.7e12}}', mode);
      expect(fill.kind === "notify" && (fill.frame.data as { ctime: unknown }).ctime, mode).toBe(1700000000000);
    }
  });
});

/**
 * Text that cannot go on the wire is refused by name before anything is sent: a lone UTF-16
 * surrogate in a parameter (encodeURIComponent threw a bare URIError), a control character or
 * a lone surrogate in a credential (a key read from a file with its newline would split a
 * header or sign the wrong string), and a header value undici refuses (a UsageError, not a
 * "connection failed"). The messages name the parameter or option and the character, never
 * the credential's value.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { CredentialsError, UsageError } from "../../src/handwritten/core/errors.js";
import { unsendable } from "../../src/handwritten/core/validate.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { rejection } from "../helpers/rejection.js";
import { xtOk, xtOrderJson } from "../helpers/answers.js";
import { fcSeed } from "../helpers/fc-seed.js";

const OK = { code: 200, info: "success", data: {} };

/** A string with one lone surrogate somewhere, and the rest any well-formed text. */
const withLone = fc
  .tuple(fc.string({ unit: "grapheme" }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ unit: "grapheme" }))
  .map(([a, s, b]) => a + String.fromCharCode(s) + b);

describe("parameters that cannot be sent", () => {
  it("a lone surrogate in a query or form parameter is a UsageError naming it, nothing sent (property)", async () => {
    const { fetch, calls } = recordingFetch(() => json(OK));
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", fetch, rateLimit: false, retry: false });
    await fc.assert(
      fc.asyncProperty(withLone, async (market) => {
        for (const [op, params] of [
          ["getOrder", { market, id: 1 }],
          ["order", { market, price: "1", number: "1", type: 1, entrustType: 0 }],
        ] as const) {
          const e = await rejection(xt.call(op as "getOrder", params as never));
          expect(e).toBeInstanceOf(UsageError);
          expect(e.message).toMatch(new RegExp(`^xt ${op}: parameter "market" holds a lone surrogate \\(U\\+D[89A-F][0-9A-F]{2} at index \\d+\\), which no encoding can send$`));
        }
      }),
      { seed: fcSeed(20261202), numRuns: 200 },
    );
    expect(calls).toHaveLength(0);
  });

  it("well-formed text of any script is sent as written (paired surrogates included)", async () => {
    const { fetch, calls } = recordingFetch(() => json(null, 200, xtOk(xtOrderJson())));
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", fetch, rateLimit: false, retry: false });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 1 }), async (market) => {
        await xt.call("getOrder", { market, id: 1 });
        expect(calls.at(-1)!.url.searchParams.get("market")).toBe(market);
      }),
      { seed: fcSeed(20261202), numRuns: 200 },
    );
  });

  it("unsendable(): lone surrogates anywhere; in a header also controls and characters above U+00FF", () => {
    expect(unsendable("btc_usdt 😀", false)).toBeUndefined();
    expect(unsendable("\ud83d", false)).toBe("a lone surrogate (U+D83D at index 0), which no encoding can send");
    expect(unsendable("ab\ude00", false)).toBe("a lone surrogate (U+DE00 at index 2), which no encoding can send");
    expect(unsendable("line\nbreak", false)).toBeUndefined();
    expect(unsendable("line\nbreak", true)).toBe("a character a header cannot carry (U+000A at index 4)");
    expect(unsendable("tab\tok é", true)).toBeUndefined();
    expect(unsendable("中", true)).toBe("a character a header cannot carry (U+4E2D at index 0)");
    // A character beyond U+FFFF is named whole (it was named by its first half, U+D83D).
    expect(unsendable("ak-😀", true)).toBe("a character a header cannot carry (U+1F600 at index 3)");
  });
});

describe("credentials that cannot be sent", () => {
  const secret = "sk-9f8e7d6c5b4a";
  const clients = {
    xt: (keys: { accessKey: string; secretKey: string }, fetch: typeof globalThis.fetch) =>
      createXtClient({ ...keys, fetch, rateLimit: false, retry: false }).call("getBalance"),
    hubi: (keys: { accessKey: string; secretKey: string }, fetch: typeof globalThis.fetch) =>
      createHubiClient({ ...keys, accessToken: "tok", fetch, rateLimit: false, retry: false }).call("queryAccounts"),
    bhex: (keys: { accessKey: string; secretKey: string }, fetch: typeof globalThis.fetch) =>
      createBhexOrgClient({ ...keys, fetch, rateLimit: false, retry: false }).call("basicTokens"),
  };

  for (const [api, run] of Object.entries(clients)) {
    it(`${api}: a key with a line break, a control character, a lone surrogate or a space at an end is a CredentialsError naming the option, not the value`, async () => {
      const { fetch, calls } = recordingFetch(() => json(OK));
      for (const [keys, option, what] of [
        [{ accessKey: "ak-1234\n", secretKey: secret }, "accessKey", "holds a control character (U+000A at index 7): a key read from a file keeps its line break; pass it without"],
        [{ accessKey: "ak-1234", secretKey: `${secret}\r\n` }, "secretKey", "holds a control character (U+000D at index 15): a key read from a file keeps its line break; pass it without"],
        [{ accessKey: "ak-\u00001234", secretKey: secret }, "accessKey", "holds a control character (U+0000 at index 3)"],
        [{ accessKey: "ak-1234", secretKey: `${secret}\ud800` }, "secretKey", "holds a lone surrogate (U+D800 at index 15), which no encoding can send"],
        [{ accessKey: " ak-1234", secretKey: secret }, "accessKey", "starts or ends with whitespace (a key pasted or read with a space around it): pass it without"],
        [{ accessKey: "ak-1234", secretKey: `${secret}\u00a0` }, "secretKey", "starts or ends with whitespace"],
      ] as const) {
        const e = await rejection(run(keys, fetch));
        expect(e, JSON.stringify(keys)).toBeInstanceOf(CredentialsError);
        expect(e.message).toContain(`: ${option} ${what}`);
        expect(`${e.message}${e.stack}`).not.toContain("ak-1234");
        expect(`${e.message}${e.stack}`).not.toContain(secret);
      }
      expect(calls).toHaveLength(0);
    });
  }

  it("quant-ws: login refuses such a key before connecting", async () => {
    const client = createQuantWsClient({ url: "ws://127.0.0.1:9/ws/v1", reconnect: false });
    try {
      const e = await rejection(client.login({ platform: "okex", accessKey: "ak\n", secretKey: secret, symbols: ["ETH/USDT"] }));
      expect(e).toBeInstanceOf(CredentialsError);
      expect(e.message).toMatch(/accessKey holds a control character \(U\+000A at index 2\)/);
    } finally {
      await client.close();
    }
  });

  it("a key a header cannot carry (above U+00FF) is a CredentialsError naming the option, not a connection failure or the header", async () => {
    const { fetch, calls } = recordingFetch(() => json(OK));
    const bhex = createBhexOrgClient({ baseUrl: "http://127.0.0.1:9", accessKey: "ak-中-12345", secretKey: secret, rateLimit: false, retry: false });
    const e = await rejection(bhex.call("basicTokens"));
    expect(e).toBeInstanceOf(CredentialsError);
    expect(e.message).toBe("bhex basicTokens: accessKey holds a character a header cannot carry (U+4E2D at index 3): it is sent in a header");
    const hubi = createHubiClient({ accessKey: "ak-12345", secretKey: secret, accessToken: "токен-12345", fetch, rateLimit: false, retry: false });
    const t = await rejection(hubi.call("queryAccounts"));
    expect(t).toBeInstanceOf(CredentialsError);
    expect(t.message).toBe("hubi queryAccounts: accessToken holds a character a header cannot carry (U+0442 at index 0): it is sent in a header");
    expect(`${t.message}${t.stack}`).not.toContain("токен-12345");
    // XT sends its key in the query, where any well-formed text goes.
    await createXtClient({ accessKey: "ak-中-12345", secretKey: secret, fetch, rateLimit: false, retry: false }).call("getBalance");
    expect(calls).toHaveLength(1);
  });
});

describe("headers undici refuses before sending", () => {
  it("a caller's content-length the body does not have, or an expect header: a UsageError, not a ConnectionError retried or marked outcomeUnknown", async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { "content-type": "application/json" }).end('{"code":200,"info":"ok","data":{"id":1}}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const xt = createXtClient({ accessKey: "ak-12345", secretKey: "sk-12345", baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, rateLimit: false, retry: { sleep: async () => {} } });
      for (const headers of [{ "content-length": "5" }, { expect: "100-continue" }]) {
        const order = await xt.POST("/trade/api/v1/order", { body: { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }, headers });
        expect(order.error, JSON.stringify(headers)).toBeInstanceOf(UsageError);
        expect((order.error as { outcomeUnknown?: boolean }).outcomeUnknown).toBeUndefined();
        expect((order.error as Error).message).toMatch(/^xt order: the request cannot be sent: /);
      }
      const read = await xt.GET("/trade/api/v1/getBalance", { headers: { expect: "100-continue" } });
      expect(read.error).toBeInstanceOf(UsageError);
      expect(hits).toBe(0);
    } finally {
      server.close();
    }
  });
});

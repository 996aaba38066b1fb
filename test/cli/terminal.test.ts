/**
 * A hostile server's text reaches a terminal only as text: error messages and printed answers
 * carry no character a terminal acts on (escape sequences, carriage returns, line breaks inside
 * an error line, C1 controls, bidirectional overrides), and printed JSON is still the same JSON.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { terminalText } from "../../src/cli/main.js";
import { ApiError, printable, ResponseFormatError } from "../../src/handwritten/core/errors.js";
import { runCliCaptured } from "../helpers/cli.js";
import { fcSeed } from "../helpers/fc-seed.js";

/** What a terminal acts on: C0 but tab and line feed, DEL, C1, bidi overrides and marks. */
const ACTS_ON = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Every such character and line feed / tab too (an error message is one line). */
const NOT_IN_MESSAGE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = "bad \u001b]0;PWNED\u0007 \u001b[31mred\u001b[0m \r\ntradeapi: ok\u0008\u0008 \u0085\u009b2J \u202eevil\u2066 \u007f";

/** One character: often one a terminal acts on (or a JSON escape's own), else any code point. */
const UNIT = fc.oneof(
  fc.constantFrom("\u0000", "\u0007", "\u001b", "\r", "\n", "\t", "\u007f", "\u0085", "\u009b", "\u061c", "\u200e", "\u202e", "\u2066", "\\", '"', "u"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function answering(body: unknown): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const env = (baseUrl: string) => ({ XT_BASE_URL: baseUrl, XT_ACCESS_KEY: "ak-terminal-1234", XT_SECRET_KEY: "sk-terminal-12345" });

describe("the CLI prints a server's text as text", () => {
  it("a vendor error message with escape sequences, CR/LF, C1 and bidi controls: one line, every such character escaped", async () => {
    const url = await answering({ code: 104, info: HOSTILE, data: null });
    const r = await runCliCaptured(["call", "xt", "getBalance"], env(url));
    expect(r.code).toBe(1);
    expect(r.stderr.endsWith("\n")).toBe(true);
    expect(r.stderr.slice(0, -1)).not.toMatch(NOT_IN_MESSAGE);
    expect(r.stderr).toContain("bad \\u001b]0;PWNED\\u0007 \\u001b[31mred\\u001b[0m \\r\\ntradeapi: ok\\u0008\\u0008 \\u0085\\u009b2J \\u202eevil\\u2066 \\u007f");
  });

  it("an answer holding such characters prints as JSON that parses to exactly the answer", async () => {
    const data = { [HOSTILE]: { freeze: HOSTILE, available: "plain ü €" }, [`key\u202e${HOSTILE}`]: { freeze: "1", available: HOSTILE, more: [HOSTILE, 1] } };
    const url = await answering({ code: 200, info: "success", data });
    const r = await runCliCaptured(["call", "xt", "getBalance"], env(url));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(ACTS_ON);
    expect(r.json()).toEqual(data);
  });

  it("terminalText: nothing a terminal acts on is left, JSON text keeps its meaning, plain text is unchanged", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: UNIT }), fc.string({ unit: UNIT }), (value, text) => {
        const json = JSON.stringify(value);
        const safe = terminalText(json);
        expect(safe).not.toMatch(ACTS_ON);
        expect(JSON.parse(safe)).toEqual(JSON.parse(json));
        expect(terminalText(text)).not.toMatch(ACTS_ON);
        if (!ACTS_ON.test(text)) expect(terminalText(text)).toBe(text);
      }),
      { seed: fcSeed(20261202), numRuns: 500 },
    );
  });
});

describe("error messages carry no character a terminal or a log acts on", () => {
  it("an ApiError shows the vendor's text escaped in its message and keeps it raw in vendorMessage", () => {
    const e = new ApiError({ api: "xt", operation: "getBalance", code: HOSTILE, vendorMessage: HOSTILE });
    expect(e.message).not.toMatch(NOT_IN_MESSAGE);
    expect(e.message).toContain("\\u001b]0;PWNED\\u0007");
    expect(e.vendorMessage).toBe(HOSTILE);
    expect(e.code).toBe(HOSTILE);
    expect(new ResponseFormatError(`got ${HOSTILE}`, "").message).not.toMatch(NOT_IN_MESSAGE);
  });

  it("printable: any text, no such character left; text without one unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: UNIT }), (text) => {
        expect(printable(text)).not.toMatch(NOT_IN_MESSAGE);
        if (!NOT_IN_MESSAGE.test(text)) expect(printable(text)).toBe(text);
      }),
      { seed: fcSeed(20261202), numRuns: 1000 },
    );
  });
});

describe("an answer the CLI cannot print", () => {
  it("one nested deeper than JSON.stringify can write is exit 1 with a line saying so (not 'Maximum call stack size exceeded')", async () => {
    // Deep enough for JSON.stringify's stack; short enough (under 256 KiB) to be read at all (MAX_JSON_DEPTH).
    const depth = 100_000;
    const text = `{"code":200,"info":"ok","data":{"btc":{"freeze":"0","available":"0","a":${"[".repeat(depth)}${"]".repeat(depth)}}}}`;
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const run = await runCliCaptured(["call", "xt", "getBalance"], env(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("tradeapi: error: xt getBalance: the answer is nested too deeply to print as JSON: read it with the library\n");
  });
});


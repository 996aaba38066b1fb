/**
 * `tradeapi spec check-doc` against a careless or hostile vendor document: inputs built in
 * memory (no vendor doc needed), each read in time that grows with its size, never a crash.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSpecCommand } from "../../src/cli/spec-command.js";
import { checkDoc } from "../../src/spec-tools/check-doc.js";
import { normalise, parseVendorDoc, type VendorDocConfig } from "../../src/spec-tools/doc-adapters.js";
import { parseSpecText, type Node } from "../../src/spec-tools/spec-model.js";
import { tempDir } from "../helpers/temp-dir.js";

const SPEC_OF: Record<string, string> = {
  hubi: "specs/openapi/hubi-futures.yaml",
  xt: "specs/openapi/xt-spot.yaml",
  bhex: "specs/openapi/bhex-org.yaml",
  xele: "specs/openapi/xele-mgmt.yaml",
  "quant-ws": "specs/asyncapi/quant-ws.yaml",
};
const specs = new Map<string, Node>();
const spec = (api: string): Node => {
  if (!specs.has(api)) specs.set(api, parseSpecText(readFileSync(SPEC_OF[api]!, "utf8"), SPEC_OF[api]!));
  return specs.get(api)!;
};
const cfg = (api: string) => spec(api)["x-vendor-doc"] as VendorDocConfig;

/** Milliseconds `f` takes. */
function timed(f: () => unknown): number {
  const started = performance.now();
  f();
  return performance.now() - started;
}

describe("an endpoint line's label and code marks are read in linear time", () => {
  // `* 接口地址:` then whitespace: two whitespace runs in a row in the endpoint pattern
  // backtracked (60,000 spaces took about 7 s, 200,000 took 74 s).
  const LINES = ["* 接口地址:" + " ".repeat(60_000) + "x", "* 接口地址：`" + " ".repeat(60_000) + "x", "*" + " ".repeat(60_000) + "接口地址:" + " ".repeat(60_000) + "x"];
  for (const api of ["xt", "bhex"]) {
    it(`${api}: each line within a second`, () => {
      const s = spec(api);
      for (const [i, line] of LINES.entries()) expect(timed(() => checkDoc(api, s, `## t\n${line}\n`)), `line ${i}`).toBeLessThan(3000);
    });
  }
  it("the endpoint is still found behind the label, code marks and a host", () => {
    const keys = (line: string) => parseVendorDoc(`## t\n${line}\n`, cfg("bhex")).sections.map((s) => s.key);
    expect(keys("* 接口地址：POST http://www.bhex.cn/v2/org/account/close")).toEqual(["POST /v2/org/account/close"]);
    expect(keys("* 接口地址: ` GET /api/v2/org/basic/tokens`")).toEqual(["GET /api/v2/org/basic/tokens"]);
    expect(keys("  ``  GET   /api/v2/org/basic/tokens  ``")).toEqual(["GET /api/v2/org/basic/tokens"]);
    expect(keys("~~~ /data/api/v1/getTicker")).toEqual(["ANY /data/api/v1/getTicker"]);
    expect(keys("* 接口地址")).toEqual([undefined]);
  });
});

describe("quant-ws (prose + JSON): an example marker on the doc's first line", () => {
  it("is a section of its own, not a crash", () => {
    const doc = '请求示例\n{\n"op": "login",\n"cid": "x"\n}\nName | Description | Required | Schema |\n---|---|---|---|\nop | 操作名称 | Yes | string |\n响应示例\n{}\n';
    const sections = parseVendorDoc(doc, cfg("quant-ws")).sections;
    expect(sections.map((s) => [s.key, s.line])).toEqual([["op login", 1]]);
    expect(() => checkDoc("quant-ws", spec("quant-ws"), doc)).not.toThrow();
    expect(() => checkDoc("quant-ws", spec("quant-ws"), "通知示例\n")).not.toThrow();
  });
});

describe("a doc of very many sections is read in time that grows with its size", () => {
  // Each start of a section was looked up in the list of all of them, and the sections of one
  // endpoint were copied into a new list for each: 100,000 headings took 7 to 11 s, one
  // endpoint repeated 20,000 times 12 to 20 s.
  const HEADINGS = Array.from({ length: 100_000 }, (_, i) => `## h${i}\n\ntext\n`).join("");
  const REPEATED: Record<string, string> = {
    xt: "**h**\n\nGET /data/api/v1/getTicker\n".repeat(20_000),
    bhex: "- ### **h**\n    GET /api/v2/org/basic/tokens\n".repeat(20_000),
    hubi: '{% api-method method="get" host="https://api.hubi.com" path="/api/futures/query\\_orders\\_pro" %}\n{% api-method-summary %}\nx\n{% endapi-method-summary %}\n'.repeat(20_000),
    xele: "1. 资金查询 /api/trade/investor/fund\n" + "1.1 资金查询(GET)\n".repeat(20_000),
    "quant-ws": 'x\n请求示例\n{"op": "place_order"}\n'.repeat(20_000),
  };
  for (const api of Object.keys(SPEC_OF)) {
    // (under a second each on an idle machine: the limit leaves room for a busy one)
    it(`${api}: 100,000 headings, one endpoint 20,000 times, each within 5 s`, () => {
      const s = spec(api);
      expect(timed(() => checkDoc(api, s, HEADINGS)), "100,000 headings").toBeLessThan(5000);
      let differences = 0;
      expect(timed(() => (differences = checkDoc(api, s, REPEATED[api]!).differences.length)), "one endpoint repeated").toBeLessThan(5000);
      expect(differences, "each repeat of the endpoint is a section of its own").toBeGreaterThan(19_000);
    });
  }
});

describe("a long line of short words (whitespace squeezed by hand)", () => {
  it("quant-ws: a 24 MB line of tab-separated words (hashed with its section) within 8 s (about 1 s idle)", () => {
    // Squeezing the whitespace with replace(/\s+/g, " ") built millions of pieces: 30 MB took
    // 19 s and 1.2 GB, most of it the garbage collector's.
    const s = spec("quant-ws");
    const line = "a\tb ".repeat(6 << 20);
    expect(timed(() => checkDoc("quant-ws", s, line))).toBeLessThan(8000);
  });
  it("the section text (and so its hash) is what replace(/\\s+/g, \" \").trim() gave", () => {
    const spaces = [" ", "\t", "\u000b", "\f", "\r", "\u00a0", "\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff"];
    const others = ["a", "交", "\u0085", "\u180e", "\u200b", "\ud83d\ude00", "\ud800", "<br/>"];
    const pool = [...spaces, ...others, "  "];
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) % pool.length;
    const lines = Array.from({ length: 20_000 }, () => Array.from({ length: next() }, () => pool[next()]).join(""));
    lines.push(...spaces.map((c) => `x${c}y${c}${c}z${c}`), "", " ", "<br/>", " <br/> ");
    const before = lines.map((l) => l.replace(/\s+/g, " ").trim()).filter((l) => l && l !== "<br/>").join("\n");
    expect(normalise(lines)).toBe(before);
  });
});

describe("the doc file's encoding", () => {
  async function cli(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await runSpecCommand(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    return { code, stdout, stderr };
  }
  const DOC = "## 交易市场配置\n\nGET /data/api/v1/getMarketConfig\n\n市场配置\n";
  it("one byte that is not UTF-8 is refused with its line and column (it was read as U+FFFD and hashed)", async () => {
    const f = join(tempDir("checkdoc-"), "doc.md");
    writeFileSync(f, Buffer.concat([Buffer.from(DOC), Buffer.from("Caf"), Buffer.from([0xe9]), Buffer.from("\n")]));
    const r = await cli(["check-doc", "xt", f]);
    expect([r.code, r.stdout, r.stderr.split("\n")[0]]).toEqual([2, "", `tradeapi spec: vendor doc ${f} is not UTF-8 text (byte 0xE9 at line 6, column 4); save it as UTF-8`]);
  });
  it("U+FFFD written as UTF-8 is text like any other", async () => {
    const f = join(tempDir("checkdoc-"), "doc.md");
    writeFileSync(f, DOC + "\ufffd".repeat(40) + "\n");
    expect((await cli(["check-doc", "xt", f])).code).toBe(1);
  });
  it("UTF-16 (with its byte order mark) is named as such, not as binary", async () => {
    const dir = tempDir("checkdoc-");
    for (const [name, bytes] of [["le.md", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DOC, "utf16le")])], ["be.md", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(DOC, "utf16le").swap16()])]] as const) {
      writeFileSync(join(dir, name), bytes);
      const r = await cli(["check-doc", "xt", join(dir, name)]);
      expect([r.code, r.stderr.split("\n")[0]]).toEqual([2, `tradeapi spec: vendor doc ${join(dir, name)} is UTF-16 text; save it as UTF-8`]);
    }
  });
  it("a UTF-8 byte order mark and CRLF line ends read as the same doc without them", async () => {
    const dir = tempDir("checkdoc-");
    writeFileSync(join(dir, "plain.md"), DOC);
    writeFileSync(join(dir, "bom-crlf.md"), `\ufeff${DOC.replace(/\n/g, "\r\n")}`);
    const [plain, other] = [await cli(["check-doc", "xt", join(dir, "plain.md"), "--json"]), await cli(["check-doc", "xt", join(dir, "bom-crlf.md"), "--json"])];
    expect(other.code).toBe(plain.code);
    expect(other.stdout).toBe(plain.stdout);
  });
});

describe("an endpoint the doc documents twice", () => {
  it("the second section is named as a repeat of the operation's endpoint, not as an endpoint the spec lacks", () => {
    const r = checkDoc("xt", spec("xt"), "**Ticker**\n\nGET /data/api/v1/getTicker\n\n**Ticker again**\n\nGET /data/api/v1/getTicker\n");
    const d = r.differences.filter((x) => x.endpoint === "GET /data/api/v1/getTicker");
    expect(d.map((x) => [x.kind, x.operation, x.message])).toEqual([
      ["section-changed", "getTicker", expect.stringContaining('doc section "Ticker" (line 1) changed')],
      ["endpoint-repeated", "getTicker", 'GET /data/api/v1/getTicker is in the doc twice: section "Ticker again" (line 5) repeats it; the spec\'s operation getTicker is matched to section "Ticker" (line 1)'],
    ]);
    // an endpoint no operation has is still named so
    expect(checkDoc("xt", spec("xt"), "**Mine**\n\nGET /trade/api/v1/myTrades\n").differences.map((x) => x.kind)).toContain("endpoint-not-in-spec");
  });
});

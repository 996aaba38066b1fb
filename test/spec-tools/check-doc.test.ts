import { readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSpecCommand } from "../../src/cli/spec-command.js";
import { checkDoc } from "../../src/spec-tools/check-doc.js";
import { parseSpecText, specOperations } from "../../src/spec-tools/spec-model.js";
import { hasVendorDocs, VENDOR_DOCS } from "../helpers/vendor-docs.js";
import { tempDir } from "../helpers/temp-dir.js";

const DOCS = VENDOR_DOCS;
/** The vendor doc of each API, recognised by its content (file names carry no API name). */
const DOC_OF: Record<string, (t: string) => boolean> = {
  hubi: (t) => t.includes("{% api-method"),
  xt: (t) => t.includes("/trade/api/v1/"),
  bhex: (t) => t.includes("/api/v2/org/"),
  xele: (t) => t.includes("Xele-Trade-Futures"),
  "quant-ws": (t) => t.includes('"op": "place_order"'),
};
const SPEC_OF: Record<string, string> = {
  hubi: "specs/openapi/hubi-futures.yaml",
  xt: "specs/openapi/xt-spot.yaml",
  bhex: "specs/openapi/bhex-org.yaml",
  xele: "specs/openapi/xele-mgmt.yaml",
  "quant-ws": "specs/asyncapi/quant-ws.yaml",
};
function docFile(api: string): string {
  const matches = readdirSync(DOCS).filter((f) => DOC_OF[api]!(readFileSync(join(DOCS, f), "utf8")));
  expect(matches, `exactly one vendor doc for ${api}`).toHaveLength(1);
  return join(DOCS, matches[0]!);
}
const spec = (api: string) => parseSpecText(readFileSync(SPEC_OF[api]!, "utf8"), SPEC_OF[api]!);
const doc = (api: string) => readFileSync(docFile(api), "utf8");

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runSpecCommand(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe.skipIf(!hasVendorDocs)("spec check-doc against each API's own vendor doc", () => {
  for (const api of Object.keys(SPEC_OF)) {
    it(`${api}: 0 unacknowledged differences, every operation records its doc section`, async () => {
      const r = checkDoc(api, spec(api), doc(api));
      expect(r.differences.map((d) => d.message)).toEqual([]);
      // every operation a vendor doc can name (a method + path, a WebSocket op, topic or state)
      const keyed = specOperations(spec(api)).filter((o) => o.key);
      expect(keyed.length).toBeGreaterThan(0);
      expect(keyed.filter((o) => !o.docSection).map((o) => o.id)).toEqual([]);
      const s = readFileSync(SPEC_OF[api]!, "utf8");
      expect((s.match(/x-doc-section: \{ heading: .+, sha256: [0-9a-f]{64} \}/g) ?? []).length).toBe(keyed.length);
      const run = await cli(["check-doc", api, docFile(api)]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`${api}: 0 differences`));
    });
  }

  it("lists the recorded deviations as acknowledged (Hubi enter_order, BHEX simple_login, quant-ws state codes)", () => {
    const hubi = checkDoc("hubi", spec("hubi"), doc("hubi")).acknowledged.map((d) => d.message);
    expect(hubi).toContain("operation enterOrder (POST /api/futures/enter_order): parameter symbol is optional in the doc, required in the spec");
    const bhex = checkDoc("bhex", spec("bhex"), doc("bhex")).acknowledged.map((d) => d.message);
    expect(bhex).toContain("operation userSimpleLogin (POST /api/v2/org/user/simple_login): parameter third_user_id is required in the doc, optional in the spec");
    const ws = checkDoc("quant-ws", spec("quant-ws"), doc("quant-ws")).acknowledged;
    expect(ws.map((d) => d.message)).toContain("state code STATE_CODE_DB_ERROR = 9 is in the spec but not in the doc");
    expect(ws.every((d) => d.reason)).toBe(true);
  });
});

describe.skipIf(!hasVendorDocs)("spec check-doc on edited copies of the XT vendor doc", () => {
  const original = () => doc("xt");
  const messages = (text: string) => checkDoc("xt", spec("xt"), text).differences.map((d) => d.message);

  it("an endpoint removed", () => {
    const t = original().replace(/\*\*聚合行情（Ticker）\*\*[\s\S]*?(?=\*\*所有市场的最新 Ticker\*\*)/, "");
    expect(messages(t)).toContain("operation getTicker (GET /data/api/v1/getTicker) is in the spec but not in the doc");
  });
  it("an endpoint added", () => {
    const t = original().replace("**提现配置**", "**我的成交**\n\n``\n    GET /trade/api/v1/myTrades\n``\n\n>请求参数\n\n参数 | 数据类型 | 是否必须 | 默认值 | 描述 | 取值范围\n-|-|-|-|-|-\nmarket | string | true | N/A | 交易市场 |\n\n>响应数据\n\n<br/>\n\n**提现配置**");
    expect(messages(t).some((m) => m.startsWith("GET /trade/api/v1/myTrades is in the doc"))).toBe(true);
  });
  it("a parameter renamed", () => {
    const t = original().replace("since | integer | true | 0 |", "from | integer | true | 0 |");
    const m = messages(t);
    expect(m).toContain("operation getKLine (GET /data/api/v1/getKLine): parameter from is documented but not in the spec");
    expect(m).toContain("operation getKLine (GET /data/api/v1/getKLine): parameter since is in the spec but not documented");
  });
  it("a parameter made required", () => {
    const t = original().replace("page | integer | false |", "page | integer | true |");
    expect(messages(t)).toContain("operation getOpenOrders (GET /trade/api/v1/getOpenOrders): parameter page is required in the doc, optional in the spec");
  });
  it("a parameter added", () => {
    const t = original().replace(/(GET \/data\/api\/v1\/getDepth[\s\S]*?market \| string \| true \| N\/A \| 交易市场 \| btc_usdt, eth_usdt\.\.\.)/, "$1\ndepth | integer | false | 20 | 档位 | 5,10,20");
    expect(messages(t)).toContain("operation getDepth (GET /data/api/v1/getDepth): parameter depth is documented but not in the spec");
  });
  it("a response example changed (a new field in the example): review the operation", () => {
    const t = original().replace('"minAmount": 0.00010,       // 最小下单数量', '"minAmount": 0.00010,       // 最小下单数量\n    "minMoney": 5,');
    expect(messages(t)).toEqual(["review operation getMarketConfig (GET /data/api/v1/getMarketConfig): doc section \"交易市场配置\" (line 91) changed since the spec was written"]);
  });
  it("a changed error text is reported against the spec part that covers it", () => {
    const t = original().replace("124 | 撤单失败，操过频繁", "124 | 撤单失败，操作过于频繁");
    expect(messages(t)).toEqual([expect.stringMatching(/^review x-error-codes: doc section "错误代码"/)]);
  });
  it("a doc section that no operation claims (and the spec does not record) is reported", () => {
    const t = original().replace("### 行情数据", "### 接口变更\n\n2020-01-01 新增 myTrades 接口\n\n### 行情数据");
    expect(messages(t)).toEqual([expect.stringMatching(/^doc section "接口变更" \(line \d+\) is claimed by no operation/)]);
  });
  it("a recorded section the doc no longer has is reported with what it covered", () => {
    const t = original().replace(/### 限频规则[\s\S]*?(?=### 签名说明)/, "");
    expect(messages(t)).toEqual(['doc section "限频规则" (recorded for x-rate-limits) is no longer in the doc']);
  });
  it("--json prints the same as data, exit 1", async () => {
    const dir = tempDir("checkdoc-");
    const f = join(dir, "xt.md");
    writeFileSync(f, original().replace("page | integer | false |", "page | integer | true |"));
    const run = await cli(["check-doc", "xt", f, "--json"]);
    expect(run.code).toBe(1);
    const data = JSON.parse(run.stdout) as { differences: Array<{ operation: string; parameter: string; kind: string }> };
    expect(data.differences).toContainEqual(expect.objectContaining({ kind: "required-differs", operation: "getOpenOrders", parameter: "page" }));
  });
});

describe.skipIf(!hasVendorDocs)("deviation records", () => {
  it("a doc parameter the spec leaves out is acknowledged only with an x-doc-deviations record naming it", () => {
    const s = spec("xt") as Record<string, any>;
    const op = s.paths["/data/api/v1/getKLine"].get;
    op.parameters = op.parameters.filter((p: { name?: string }) => p.name !== "since");
    const missing = "operation getKLine (GET /data/api/v1/getKLine): parameter since is documented but not in the spec";
    expect(checkDoc("xt", s, doc("xt")).differences.map((d) => d.message)).toContain(missing);
    op["x-doc-deviations"] = [{ param: "since", reason: "the client always sends 0" }];
    const r = checkDoc("xt", s, doc("xt"));
    expect(r.differences).toEqual([]);
    expect(r.acknowledged).toEqual([expect.objectContaining({ message: missing, reason: "the client always sends 0" })]);
  });
  it("a recorded deviation the doc no longer needs is reported", () => {
    const t = doc("hubi").replace(/(enter\\_order[\s\S]*?)name="symbol" type="string" required=false/, '$1name="symbol" type="string" required=true');
    expect(checkDoc("hubi", spec("hubi"), t).differences.map((d) => d.message)).toContain("operation enterOrder (POST /api/futures/enter_order): parameter symbol has an x-doc-deviation (required) but the doc now agrees with the spec: remove the record");
  });
  it("a recorded deviation stops applying when the doc changes its value", () => {
    // the spec records that the doc says `json`; a doc saying `object` is a new difference
    const t = doc("bhex").replace(/\| pay_info \| json \|/, "| pay_info | object |");
    expect(checkDoc("bhex", spec("bhex"), t).differences.map((d) => d.message)).toContain("operation paymentOrderCreate (POST /api/v2/org/payment/order/create): parameter pay_info is object in the doc, string in the spec");
  });
});

describe.skipIf(!hasVendorDocs)("spec check-doc on other formats", () => {
  it("Hubi (GitBook blocks): a parameter made required and a block removed", () => {
    const t = doc("hubi").replace('name="timestamp" type="integer" required=false', 'name="timestamp" type="integer" required=true');
    expect(checkDoc("hubi", spec("hubi"), t).differences.map((d) => d.message)).toContain("operation queryOrdersPro (GET /api/futures/query_orders_pro): parameter timestamp is required in the doc, optional in the spec");
  });
  it("Xele (numbered sections): a documented request field the spec lacks", () => {
    const t = doc("xele").replace("| content | 查询内容 | C1024 |", "| content | 查询内容 | C1024 |\n| trader_group | 交易组 | C13 | |");
    expect(checkDoc("xele", spec("xele"), t).differences.map((d) => d.message)).toContain("operation getInvestorFunds (GET /api/trade/investor/fund): parameter trader_group is documented but not in the spec");
  });
  it("xele: a request data field the section's table no longer lists (nor its text names) is reported", () => {
    const t = doc("xele").replace(/\| content \| 查询内容 \| C1024 \|[^\n]*\n/, "");
    const m = checkDoc("xele", spec("xele"), t).differences.map((d) => d.message);
    expect(m).toContain("operation getInvestorFunds (GET /api/trade/investor/fund): parameter content is in the spec but not documented");
  });
  it("quant-ws (prose + JSON): a new state code, a new topic", () => {
    const t = doc("quant-ws").replace("STATE_CODE_GENERAL_ERROR = 7 #交易接口常规错误", "STATE_CODE_GENERAL_ERROR = 7 #交易接口常规错误\nSTATE_CODE_MAINTENANCE = 10 #维护中").replace('"topic": "fill"', '"topic": "trade"');
    const m = checkDoc("quant-ws", spec("quant-ws"), t).differences.map((d) => d.message);
    expect(m).toContain("state code STATE_CODE_MAINTENANCE = 10 is in the doc but not in the spec");
    expect(m.some((x) => x.startsWith("topic trade is in the doc"))).toBe(true);
    expect(m).toContain("operation receiveFillNotification (topic fill) is in the spec but not in the doc");
  });
});

describe.skipIf(!hasVendorDocs)("the six edits on the other vendor docs (each format), each named", () => {
  type Edit = [name: string, edit: (t: string) => string, expected: string | RegExp];
  const EDITS: Record<string, Edit[]> = {
    hubi: [
      ["endpoint removed", (t) => t.replace(/\{% api-method method="get" host="https:\/\/api.hubi.com" path="\/api\/futures\/query\\_order\\_by\\_id" %\}[\s\S]*?\{% endapi-method %\}/, ""), "operation queryOrderById (GET /api/futures/query_order_by_id) is in the spec but not in the doc"],
      ["endpoint added", (t) => t.replace("# 交易 REST API\n", '# 交易 REST API\n\n{% api-method method="get" host="https://api.hubi.com" path="/api/futures/my\\_trades" %}\n{% api-method-summary %}\n我的成交\n{% endapi-method-summary %}\n{% endapi-method %}\n'), /^GET \/api\/futures\/my_trades is in the doc/],
      ["parameter renamed", (t) => t.replace('name="timestamp" type="integer" required=false', 'name="ts" type="integer" required=false'), "operation queryOrdersPro (GET /api/futures/query_orders_pro): parameter timestamp is in the spec but not documented"],
      ["parameter made required", (t) => t.replace('name="timestamp" type="integer" required=false', 'name="timestamp" type="integer" required=true'), "operation queryOrdersPro (GET /api/futures/query_orders_pro): parameter timestamp is required in the doc, optional in the spec"],
      ["parameter added", (t) => t.replace('{% api-method-parameter name="timestamp"', '{% api-method-parameter name="limit" type="integer" required=false %}\n条数\n{% endapi-method-parameter %}\n{% api-method-parameter name="timestamp"'), "operation queryOrdersPro (GET /api/futures/query_orders_pro): parameter limit is documented but not in the spec"],
      ["response example changed", (t) => t.replace('"avgPx": 0,', '"avgPx": 0,\n      "leverage": 10,'), /^review operation queryOrdersPro \(GET \/api\/futures\/query_orders_pro\): doc section/],
    ],
    bhex: [
      ["endpoint removed", (t) => t.replace(/- ### \*\*获取token信息\*\*[\s\S]*?(?=- ### )/, ""), "operation basicTokens (GET /api/v2/org/basic/tokens) is in the spec but not in the doc"],
      ["endpoint added", (t) => t.replace("## 1) 基础配置接口\n", "## 1) 基础配置接口\n\n- ### **我的成交**\n\n    **请求地址**\n    GET /api/v2/org/basic/my_trades\n\n    **请求参数**\n\n    | 参数 | 类型 | 是否必填 | 描述 |\n    | :-- | :-- | :-- | :-- |\n    | symbol_id | string | 是 | 币对 |\n\n"), /^GET \/api\/v2\/org\/basic\/my_trades is in the doc/],
      ["parameter renamed", (t) => t.replace("| buy_max_price | float | 是 |", "| buy_maximum_price | float | 是 |"), "operation adminSymbolPriceLimit (POST /api/v2/org/admin/symbol/price_limit): parameter buy_maximum_price is documented but not in the spec"],
      ["parameter made required", (t) => t.replace(/(\/api\/v2\/org\/user\/simple_login[\s\S]*?\| user_id \| \w+ \| )否/, "$1是"), "operation userSimpleLogin (POST /api/v2/org/user/simple_login): parameter user_id is required in the doc, optional in the spec"],
      ["parameter added", (t) => t.replace("| symbol_id | string | 是 | 币对 |  |", "| symbol_id | string | 是 | 币对 |  |\n    | note | string | 否 | 备注 |  |"), /parameter note is documented but not in the spec$/],
      ["response example changed", (t) => t.replace('"allowWithdraw":true, // 是否允许提币', '"allowWithdraw":true, // 是否允许提币\n                "chainCount": 2,'), /^review operation basicTokens \(GET \/api\/v2\/org\/basic\/tokens\)/],
    ],
    xele: [
      ["endpoint removed", (t) => t.replace(/2\.3 出入金新增\(POST\)[\s\S]*?(?=3\. 交易所前置)/, ""), "operation createCashInOut (POST /api/trade/cashinout/audit) is in the spec but not in the doc"],
      ["endpoint added", (t) => t.replace("2.3 出入金新增(POST)", "2.4 出入金删除(DELETE)\n2.4.1 请求\n| unique_id | 记录ID | uN4 | |\n2.3 出入金新增(POST)"), /^DELETE \/api\/trade\/cashinout\/audit is in the doc/],
      ["parameter renamed", (t) => t.replace("| content | 查询内容 | C1024 |", "| query_content | 查询内容 | C1024 |"), "operation getInvestorFunds (GET /api/trade/investor/fund): parameter query_content is documented but not in the spec"],
      ["response example changed", (t) => t.replace("| Investor_name | 投资者姓名 | C13 | |", "| Investor_name | 投资者姓名 | C13 | |\n| currency | 币种 | C3 | |"), /^review operation getInvestorFunds \(GET \/api\/trade\/investor\/fund\)/],
    ],
    "quant-ws": [
      ["operation removed", (t) => t.replace(/通过此操作可以撤销当前挂起的订单[\s\S]*?(?=通过此操作可以查询当前未成交订单)/, ""), "operation cancelOrder (op cancel_order) is in the spec but not in the doc"],
      ["operation added", (t) => t.replace("通过此操作可以撤销当前挂起的订单", '查询成交\n请求示例\n{\n"op": "my_trades",\n"cid": "x"\n}\nName | Description | Required | Schema |\n---|---|---|---|\nop | 操作名称 | Yes | string |\n响应示例\n{}\n通过此操作可以撤销当前挂起的订单'), /^op my_trades is in the doc/],
      ["parameter renamed", (t) => t.replace("order_nos | 订单ID列表 | Yes | list[string] |", "order_ids | 订单ID列表 | Yes | list[string] |"), "operation cancelOrder (op cancel_order): parameter order_nos is in the spec but not documented"],
      ["parameter made required", (t) => t.replace("cid | 请求自定义ID | No | string |\ntoken | 登录凭证 | Yes | string |\nsymbol | 交易对 | Yes | string |\norder_nos", "cid | 请求自定义ID | Yes | string |\ntoken | 登录凭证 | Yes | string |\nsymbol | 交易对 | Yes | string |\norder_nos"), "operation cancelOrder (op cancel_order): parameter cid is required in the doc, optional in the spec"],
      ["parameter added", (t) => t.replace("order_nos | 订单ID列表 | Yes | list[string] |", "order_nos | 订单ID列表 | Yes | list[string] |\nreason | 原因 | No | string |"), "operation cancelOrder (op cancel_order): parameter reason is documented but not in the spec"],
      ["response example changed", (t) => t.replace('"order_no": "xxxxxxxxxx"\n}', '"order_no": "xxxxxxxxxx",\n"ts": 1\n}'), /^review operation placeOrder \(op place_order\)/],
    ],
  };
  for (const [api, edits] of Object.entries(EDITS)) {
    for (const [name, edit, expected] of edits) {
      it(`${api}: ${name}`, () => {
        const original = doc(api);
        const t = edit(original);
        expect(t, "the edit applies to the vendor doc").not.toBe(original);
        const m = checkDoc(api, spec(api), t).differences.map((d) => d.message);
        if (typeof expected === "string") expect(m).toContain(expected);
        else expect(m.some((x) => expected.test(x)), JSON.stringify(m)).toBe(true);
      });
    }
  }
});

describe("a hostile vendor doc is read in linear time (no pattern backtracks over a long line)", () => {
  const N = 20_000;
  const LINES = [
    " ".repeat(N) + "x",
    "1" + " ".repeat(N) + "a" + " ".repeat(N) + "x",
    "1. a" + " ".repeat(N) + "b" + " ".repeat(N) + "/",
    "1.1 a" + " ".repeat(N) + "b" + " ".repeat(N) + "(",
    "`" + " ".repeat(N) + "x",
    '{% api-method method="get" '.repeat(N / 20),
    '{% api-method-parameter name="a" '.repeat(N / 20),
    "| - ".repeat(N / 4) + "x",
    "STATE_CODE_A" + " ".repeat(N) + "x",
  ];
  for (const api of Object.keys(SPEC_OF)) {
    it(`${api}: every hostile line within a second`, () => {
      const s = spec(api);
      for (const [i, line] of LINES.entries()) {
        const started = performance.now();
        checkDoc(api, s, `# t\n${line}\n`);
        expect(performance.now() - started, `line ${i}`).toBeLessThan(1000);
      }
    });
  }
});

describe("a parameter table whose separator line goes on with empty cells is read in linear time", () => {
  // The second line starts like a table's separator and goes on with empty cells: a pattern
  // with a repeated group could end that group at every cell (16 cells took 2.5 s, 18 took 27 s,
  // 22 minutes: 17 here, so that such a pattern fails the test rather than hanging it).
  const ROWS = ["| - " + "|  ".repeat(17) + "| 备注", "| - | - |\n| - " + "|  ".repeat(17) + "| x", "| - " + "| :-: ".repeat(4_000) + "| x"];
  // XT's doc layout (the other adapters read their tables with the same function).
  const DOCS: Record<string, (table: string) => string> = {
    xt: (t) => `# 委托\n\n/trade/api/v1/order\n\n>请求参数\n\n| 参数 | 类型 | 说明 |\n${t}\n\n>响应数据\n\nok\n`,
  };
  for (const [api, doc] of Object.entries(DOCS)) {
    it(`${api}: each table within a second`, () => {
      const s = spec(api);
      for (const [i, row] of ROWS.entries()) {
        const started = performance.now();
        checkDoc(api, s, doc(row));
        expect(performance.now() - started, `row ${i}`).toBeLessThan(1000);
      }
    });
  }
});

describe("spec check-doc bad input → exit 2, a clear message, no stack trace", () => {
  it.skipIf(!hasVendorDocs)("unknown api", async () => {
    const r = await cli(["check-doc", "nope", docFile("xt")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown api "nope"; known: xt, hubi/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it("missing doc file", async () => {
    const r = await cli(["check-doc", "xt", "/nonexistent/doc.md"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vendor doc \/nonexistent\/doc.md does not exist/);
  });
  it("binary doc file", async () => {
    const dir = tempDir("checkdoc-");
    const f = join(dir, "doc.pdf");
    writeFileSync(f, Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 3, 0xff]));
    const r = await cli(["check-doc", "xt", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is binary/);
  });
  it("no api, or an empty doc file", async () => {
    const none = await cli(["check-doc"]);
    expect([none.code, none.stderr]).toEqual([2, expect.stringMatching(/^tradeapi spec: missing <api>; known: xt, hubi/)]);
    const dir = tempDir("checkdoc-");
    writeFileSync(join(dir, "empty.md"), " \n\n");
    const empty = await cli(["check-doc", "xt", join(dir, "empty.md")]);
    expect([empty.code, empty.stderr]).toEqual([2, expect.stringMatching(/vendor doc .*empty\.md is empty/)]);
    const more = await cli(["check-doc", "xt", join(dir, "empty.md"), "b", "c"]);
    expect([more.code, more.stderr]).toEqual([2, expect.stringMatching(/check-doc takes one API and one vendor doc file, got more: "b" "c"/)]);
  });
  it("a doc in another encoding (GBK bytes of Chinese text)", async () => {
    const dir = tempDir("checkdoc-");
    const f = join(dir, "gbk.md");
    // "交易市场配置" in GBK, repeated as a heading and prose would be
    writeFileSync(f, Buffer.concat(Array.from({ length: 20 }, () => Buffer.from([0xbd, 0xbb, 0xd2, 0xd7, 0xca, 0xd0, 0xb3, 0xa1, 0xc5, 0xe4, 0xd6, 0xc3, 0x0a]))));
    const r = await cli(["check-doc", "xt", f]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^tradeapi spec: vendor doc .*gbk\.md is not UTF-8 text \(byte 0xBD at line 1, column 1\); save it as UTF-8\n/)]);
  });
  it("a doc file far larger than any vendor doc is refused before it is read", async () => {
    const dir = tempDir("checkdoc-");
    const f = join(dir, "huge.md");
    writeFileSync(f, "");
    truncateSync(f, 64 << 20); // sparse: nothing is written
    const r = await cli(["check-doc", "xt", f]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^tradeapi spec: vendor doc .*huge\.md is larger than 32 MiB/)]);
  });
  it("--help on a subcommand prints the usage, exit 0", async () => {
    for (const argv of [["check-doc", "--help"], ["diff", "-h"], ["check-doc", "xt", "--help"]]) {
      const r = await cli(argv);
      expect([r.code, r.stderr], argv.join(" ")).toEqual([0, ""]);
      // each subcommand's own usage
      expect(r.stdout).toContain(argv[0] === "diff" ? "usage: tradeapi spec diff [api]" : "usage: tradeapi spec check-doc <api> <vendor-doc-file>");
    }
  });
  it.skipIf(!hasVendorDocs)("unknown flag", async () => {
    const r = await cli(["check-doc", "xt", docFile("xt"), "--nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--nope/);
  });
});

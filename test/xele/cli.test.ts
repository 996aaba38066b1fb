import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meta as xeleMeta } from "../../generated/xele-mgmt.docs.js";
import { runCliCaptured } from "../helpers/cli.js";
import { startXeleMock, XELE_COUNTER_VERSIONS, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

let mock: XeleMock;
beforeAll(async () => {
  mock = await startXeleMock();
});
afterAll(() => mock.close());

const cli = (argv: string[], env: NodeJS.ProcessEnv = {}, untilStopped?: () => Promise<void>) =>
  runCliCaptured(
    argv,
    { XELE_MA_URL: mock.maUrl, XELE_MS_URL: mock.msUrl, XELE_USERNAME: XELE_MOCK_USERNAME, XELE_PASSWORD: XELE_MOCK_PASSWORD, ...env },
    untilStopped ? { untilStopped } : {},
  );

describe("tradeapi call xele", () => {
  it("XELE_MS_URL on another machine without XELE_MA_URL: exit 2, the login is not sent to this machine's default port", async () => {
    const before = mock.received.length;
    const r = await cli(["call", "xele", "getSystemInfo"], { XELE_MA_URL: undefined, XELE_MS_URL: "http://10.0.0.5:8181" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("XELE_MS_URL (--ms-url) names another machine but XELE_MA_URL (--ma-url) is not set: the login (user name and password) would go to its default port on this machine; set both");
    expect(mock.received.length).toBe(before);
  });

  it("--counter-version / XELE_COUNTER_VERSION: requests carry what that counter knows; a newer operation or a malformed version is exit 2 naming the flag", async () => {
    const funds = () => (mock.received.filter((x) => x.operationId === "getInvestorFunds").at(-1)!.json as { data: { option_scale: object } }).data.option_scale;
    mock.settings.counterVersion = "003";
    try {
      expect((await cli(["call", "xele", "getInvestorFunds", "--counter-version", "003"])).code).toBe(0);
      expect(funds()).not.toHaveProperty("order_commission");
      // (without it: the fields of 007 are sent, and refused)
      expect((await cli(["call", "xele", "getInvestorFunds"])).stderr).toMatch(/code 103 .*order_commission came with counter 007/);
    } finally {
      mock.settings.counterVersion = "007P9";
    }
    expect((await cli(["call", "xele", "getInvestorFunds"], { XELE_COUNTER_VERSION: "007" })).code).toBe(0);
    expect(funds()).toHaveProperty("order_commission", true);
    const before = mock.received.length;
    const newer = await cli(["call", "xele", "getAlarmConfigs", "--counter-version", "007p8"]);
    expect(newer.code).toBe(2);
    expect(newer.stderr).toContain("getAlarmConfigs came with counter 007P9; --counter-version (XELE_COUNTER_VERSION) is 007P8");
    const bad = await cli(["call", "xele", "getInvestorFunds"], { XELE_COUNTER_VERSION: "7" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--counter-version (XELE_COUNTER_VERSION) is a counter version as the vendor doc writes them (003, 007, 007P7, 007P8, 007P9), got "7"');
    expect(mock.received.length).toBe(before);
  });

  it("lists every operation of the spec", async () => {
    const all = await cli(["list"]);
    expect(all.stdout).toMatch(new RegExp(`^xele\\s+.*\\(${xeleMeta.operations.length} operations\\)`, "m"));
    const ops = await cli(["list", "xele"]);
    expect(ops.stdout.trim().split("\n")).toHaveLength(xeleMeta.operations.length);
    expect(ops.stdout).toMatch(/^queryOrders\s+GET\s+\/api\/trade\/order\/query/m);
  });

  it("prints row answers as a JSON array of row objects, every digit kept", async () => {
    const r = await cli(["call", "xele", "queryOrders", 'investor_id=["777001"]', "max_result_count=2"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout.replace(/("ExchangeOrderId": )(\d+)/g, '$1"$2"')) as Array<Record<string, unknown>>;
    // Only investor 777001's orders (one of the emulator's 3).
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ InvestorId: "777001", OrderSysId: 1001, ExchangeOrderId: "12345678901234567891", OrderPrice: "400.1000" });
    expect(r.stdout).toContain('"ExchangeOrderId": 12345678901234567891');
    const sent = mock.received.filter((x) => x.operationId === "queryOrders").at(-1)!;
    expect(sent.json.data).toMatchObject({ investor_id: ["777001"], max_result_count: 2, direction: "" });
  });

  it("JSON answers, METHOD /path references, array payloads via --json", async () => {
    const info = await cli(["call", "xele", "GET /api/trade/system/info"]);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ CpuNum: 32 });
    const put = await cli([
      "call",
      "xele",
      "updateFrontControls",
      "--json",
      '{"data":[{"exchange_id":"SHFE","seat_index":0,"seat_type":"MANAGER","model_switch":1,"flow_control":200,"weight":99,"front_ip":"192.168.2.5"}]}',
    ]);
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    expect(put.stdout.trim()).toBe("null");
  });

  it("saves the client-system export with --save-dir", async () => {
    const dir = await mkdtemp(join(tmpdir(), "xele-cli-"));
    try {
      const r = await cli(["call", "xele", "exportClientSystemInfo", "trading_day=20220412", "--save-dir", dir]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ savedTo: join(dir, "clientinfo20220412.txt"), lines: 2 });
      expect(await readFile(join(dir, "clientinfo20220412.txt"), "utf8")).toMatch(/^777001\|/);
      // Again: the file is there, kept, exit 2; with --overwrite it is replaced.
      const again = await cli(["call", "xele", "exportClientSystemInfo", "trading_day=20220412", "--save-dir", dir]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain("clientinfo20220412.txt already exists: it was kept and nothing was written (pass --overwrite to replace it)");
      // (the library's option, which the CLI does not take, is not named)
      expect(again.stderr).not.toContain("overwrite: true");
      const replaced = await cli(["call", "xele", "exportClientSystemInfo", "trading_day=20220412", "--save-dir", dir, "--overwrite"]);
      expect(replaced.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("exit 2 for usage and credential errors, 1 for API errors; never prints the password", async () => {
    const noPass = await cli(["call", "xele", "getSystemInfo"], { XELE_PASSWORD: undefined });
    expect(noPass.code).toBe(2);
    expect(noPass.stderr).toMatch(/xele getSystemInfo: the login failed: missing password: .*XELE_PASSWORD/);
    // A password read from a file with its line break: refused by name (exit 2), not a wrong password from the server.
    const lineBreak = await cli(["call", "xele", "getSystemInfo"], { XELE_PASSWORD: "xele-mock-password\n" });
    expect(lineBreak.code).toBe(2);
    expect(lineBreak.stderr).toContain("xele getSystemInfo: the login failed: password holds a control character (U+000A at index 18): a key read from a file keeps its line break; pass it without (the value of XELE_PASSWORD)");
    const badField = await cli(["call", "xele", "queryOrders", "direction=buy"]);
    expect(badField.code).toBe(2);
    expect(badField.stderr).toMatch(/xele queryOrders: parameter "direction" must be one of "", "买", "卖", got "buy"/);
    const baseUrl = await cli(["call", "xele", "getSystemInfo", "--base-url", "http://x"]);
    expect(baseUrl.code).toBe(2);
    expect(baseUrl.stderr).toMatch(/two servers: use --ma-url \/ --ms-url/);
    const api = await cli(["call", "xele", "auditCashInOut", "unique_id=424242", "status=1"]);
    expect(api.code).toBe(1);
    expect(api.stderr).toMatch(/xele auditCashInOut: code 106 修改失败/);
    const wrong = await cli(["call", "xele", "getSystemInfo"], { XELE_PASSWORD: "not-the-password" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/code 114/);
    // Above --max-response-bytes (the client's maxResponseBytes): the flag is named, not the library's
    // option. A "|" row answer streams: the bound is its longest line (before the first row: nothing printed).
    const tooLarge = await cli(["call", "xele", "queryOrders", 'investor_id=["777001"]', "--max-response-bytes", "100"]);
    expect([tooLarge.code, tooLarge.stdout]).toEqual([1, ""]);
    expect(tooLarge.stderr).toBe("tradeapi: error: xele queryOrders: the row stream holds a line (or envelope member) longer than 100 characters: not read further (--max-response-bytes N raises the limit)\n");
    expect((await cli(["call", "xele", "queryOrders", 'investor_id=["777001"]', "--max-response-bytes", "100000"])).code).toBe(0);
    const jsonTooLarge = await cli(["call", "xele", "getSystemInfo", "--max-response-bytes", "100"]);
    expect([jsonTooLarge.code, jsonTooLarge.stdout]).toEqual([1, ""]);
    expect(jsonTooLarge.stderr).toBe("tradeapi: error: xele getSystemInfo: the answer is larger than 100 bytes: not read further (--max-response-bytes N raises the limit)\n");
    for (const r of [noPass, badField, baseUrl, api, wrong]) {
      expect(r.stderr).not.toContain(XELE_MOCK_PASSWORD);
      expect(r.stderr).not.toContain("not-the-password");
    }
  });
});

describe("tradeapi mock xele", () => {
  it("starts MA and MS, prints both URLs and how to call them", async () => {
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const running = cli(["mock", "xele", "--counter-version", "007P7", "--rows-in", "body"], {}, () => stopped);
    await new Promise((r) => setTimeout(r, 300));
    stop();
    const r = await running;
    expect(r.code).toBe(0);
    const ma = /xele emulator MA listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout)?.[1];
    const ms = /xele emulator MS listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout)?.[1];
    expect(ma).toBeDefined();
    expect(ms).toBeDefined();
    expect(ma).not.toBe(ms);
    expect(r.stdout).toContain(`XELE_USERNAME=${XELE_MOCK_USERNAME} XELE_PASSWORD=${XELE_MOCK_PASSWORD}`);
    expect(r.stdout).toContain(`XELE_MA_URL=${ma} XELE_MS_URL=${ms}`);
  });

  it("--counter-version takes the versions the emulator knows (any case), and its help names them; another is exit 2 listing them", async () => {
    for (const version of [...XELE_COUNTER_VERSIONS, "007p8"]) {
      const r = await cli(["mock", "xele", "--counter-version", version], {}, () => Promise.resolve());
      expect(r.code, version).toBe(0);
    }
    for (const [version, near] of [["999", ""], ["007P10", "; did you mean 007P7?"], ["3", "; did you mean 003?"], ["7p7", "; did you mean 007P7?"]]) {
      const r = await cli(["mock", "xele", "--counter-version", version!], {}, () => Promise.resolve());
      expect([r.code, r.stdout], version).toEqual([2, ""]);
      expect(r.stderr).toContain(`tradeapi: --counter-version takes a version the emulator knows: 003, 007, 007P7, 007P8, 007P9; got ${JSON.stringify(version)}${near}\n`);
    }
    const help = (await cli(["mock", "xele", "--help"])).stdout.replace(/\s+/g, " ");
    expect(help).toContain("--counter-version <V> counter version to emulate: 003, 007, 007P7 (fewer columns), 007P8 or 007P9 (the default)");
    expect(XELE_COUNTER_VERSIONS).toEqual(["003", "007", "007P7", "007P8", "007P9"]);
  });
});

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meta as bhexMeta } from "../../generated/bhex-org.docs.js";
import { runCliCaptured, runCliProcess, spawnCliMock } from "../helpers/cli.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { tempDir } from "../helpers/temp-dir.js";

let mock: HttpMock;
beforeAll(async () => {
  mock = await startBhexMock();
});
afterAll(() => mock.close());

const cli = (argv: string[], env: NodeJS.ProcessEnv = {}, io: Parameters<typeof runCliCaptured>[2] = {}) =>
  runCliCaptured(argv, { BHEX_BASE_URL: mock.url, BHEX_ACCESS_KEY: BHEX_MOCK_ACCESS_KEY, BHEX_SECRET_KEY: BHEX_MOCK_SECRET_KEY, ...env }, io);

describe("tradeapi CLI against the BHEX emulator", () => {
  it("list shows the API and all its operations, deprecated ones marked", async () => {
    const all = await cli(["list"]);
    expect(all.stdout).toMatch(/^bhex\s+BHEX Broker Org API \(\d+ operations\)/m);
    expect(all.stdout).toContain(`(${bhexMeta.operations.length} operations)`);
    const ops = await cli(["list", "bhex"]);
    const lines = ops.stdout.trim().split("\n");
    expect(lines).toHaveLength(bhexMeta.operations.length);
    expect(lines.filter((l) => l.endsWith("[deprecated]")).map((l) => l.split(/\s+/)[0]).sort()).toEqual([
      "financeBatchTransfer",
      "financeMapping",
      "financeTransfer",
      "statisticsColdWalletInfo",
    ]);
    expect(ops.stdout).toMatch(/^statisticsDownloadData\s+GET\s+\/api\/v2\/org\/statistics\/download_data/m);
  });

  it("prints int64 IDs with every digit (JSON.parse would print 410722994621856000)", async () => {
    const r = await cli(["call", "bhex", "statisticsUnlockRecord", "user_id=217235926081077248"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"clientReqId": 410722994621856001');
    expect(r.stdout).toContain('"userId": 217235926081077248');
    const otc = await cli(["call", "bhex", "POST /v2/org/otc/order/list", "user_id=1"]);
    expect(otc.stdout).toContain('"accountId": 231215678938542080');
    expect(otc.stdout).toContain('"targetAccountId": 213670654898113536');
    const locks = await cli(["call", "bhex", "statisticsLockRecord", "user_id=9007199254740993", "limit=2", "--all-as-post"]);
    expect(locks.stdout).toContain('"id": 9007199254741099');
    expect(locks.stdout).toContain('"userId": 9007199254740993');
  });

  it("--all-as-post sends a documented GET as a form POST", async () => {
    const lines: string[] = [];
    const logged = await startBhexMock({ log: (l) => lines.push(l) });
    try {
      const env = { BHEX_BASE_URL: logged.url };
      expect((await cli(["call", "bhex", "basicTime"], env)).code).toBe(0);
      expect((await cli(["call", "bhex", "basicTime", "--all-as-post"], env)).code).toBe(0);
      expect(lines).toEqual([
        "GET /api/v2/org/basic/time → 200 [signature: java = python = php, identical here]",
        "POST /api/v2/org/basic/time → 200 [signature: java = python = php, identical here]",
      ]);
    } finally {
      await logged.close();
    }
  });

  it("order create → get → cancel, the client_order_id generated when not given", async () => {
    const placed = await cli(["call", "bhex", "orderCreate", "user_id=83214971450163200", "exchange_id=301", "symbol_id=ATUSDT", "type=limit", "side=buy", "price=0.1668", "quantity=10"]);
    expect(placed.code).toBe(0);
    const order = JSON.parse(placed.stdout);
    expect(order.clientOrderId).toMatch(/^\d{19}$/);
    const got = await cli(["call", "bhex", "orderGet", "user_id=83214971450163200", `client_order_id=${order.clientOrderId}`]);
    expect(JSON.parse(got.stdout).orderId).toBe(order.orderId);
    expect((await cli(["call", "bhex", "orderCancel", "user_id=83214971450163200", `order_id=${order.orderId}`])).stdout).toContain('"success": true');
    const again = await cli(["call", "bhex", "orderCancel", "user_id=83214971450163200", `order_id=${order.orderId}`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/bhex orderCancel: code 1 order is CANCELED/);
  });

  it("batch items as wire text, then the result with per-item status", async () => {
    const made = await cli(["call", "bhex", "financeBatchLockPosition", "client_order_id=CLI-LOCK-1", "data_type=simple", "items=83214971450163200,BTC,0.005,activity lock;1234,USDT,0.5,"]);
    expect(made.code).toBe(0);
    const res = await cli(["call", "bhex", "financeGetBatchLockPositionResult", "client_order_id=CLI-LOCK-1"]);
    expect([...res.stdout.matchAll(/"status": (\d+)/g)].map((m) => m[1])).toEqual(["1", "200", "31009"]);
  });

  it("download_data --output saves the .xlsx", async () => {
    const file = join(tempDir("bhex-cli-"), "f.xlsx");
    const r = await cli(["call", "bhex", "statisticsDownloadData", "type=balance", "date=2020-01-01", "--output", file]);
    expect(r.code).toBe(0);
    const saved = JSON.parse(r.stdout);
    expect(saved.savedTo).toBe(file);
    expect(readFileSync(file).subarray(0, 2).toString()).toBe("PK");
    const missing = await cli(["call", "bhex", "statisticsDownloadData", "type=balance", "date=2019-01-01", "--output", file]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/HTTP 404.*no such history file/);
  });

  it("download_data without --output: the file's bytes go to a pipe, never to a terminal (exit 2 naming --output)", async () => {
    const argv = ["call", "bhex", "statisticsDownloadData", "type=balance", "date=2020-01-01"];
    const env = { BHEX_BASE_URL: mock.url, BHEX_ACCESS_KEY: BHEX_MOCK_ACCESS_KEY, BHEX_SECRET_KEY: BHEX_MOCK_SECRET_KEY };
    const piped: Uint8Array[] = [];
    const toPipe = await runCliCaptured(argv, env, { stdoutBytes: (b) => void piped.push(b), stdoutIsTerminal: false });
    expect(toPipe.code).toBe(0);
    expect(Buffer.concat(piped).subarray(0, 2).toString()).toBe("PK");
    const shown: Uint8Array[] = [];
    const toTerminal = await runCliCaptured(argv, env, { stdoutBytes: (b) => void shown.push(b), stdoutIsTerminal: true });
    expect(toTerminal.code).toBe(2);
    expect(shown).toEqual([]);
    expect(toTerminal.stdout).toBe("");
    expect(toTerminal.stderr).toMatch(/bytes of a file, not written to a terminal: give --output FILE/);
  });

  it.skipIf(!existsSync("/dev/full"))("download_data --output FILE that fails to be written (/dev/full): exit 1 saying so, the file's bytes on neither a terminal nor a pipe", async () => {
    const argv = ["call", "bhex", "statisticsDownloadData", "type=balance", "date=2020-01-01", "--output", "/dev/full"];
    for (const stdoutIsTerminal of [true, false]) {
      const shown: Uint8Array[] = [];
      const r = await cli(argv, {}, { stdoutBytes: (b) => void shown.push(b), stdoutIsTerminal });
      expect(r.code, `terminal: ${stdoutIsTerminal}`).toBe(1);
      expect(shown).toEqual([]);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^tradeapi: could not write --output \/dev\/full \(.*ENOSPC.*\); the answer was not saved\n$/);
    }
  });

  it("exit 1 with one line on an auth error (HTTP 400 code 1105); the secret never shown", async () => {
    const bad = await cli(["call", "bhex", "basicTime"], { BHEX_SECRET_KEY: "wrong-secret-value" });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/bhex basicTime: code 1105 Username or password is incorrect \(signature mismatch\)/);
    expect(bad.stderr).not.toContain("wrong-secret-value");
    const badKey = await cli(["call", "bhex", "basicTime"], { BHEX_ACCESS_KEY: "nope" });
    expect(badKey.stderr).toMatch(/unknown X-ACCESS-KEY/);
  });

  it.each([
    { argv: ["call", "bhex", "nope"], re: /unknown operation/ },
    { argv: ["call", "bhex", "userGetBaseInfo"], re: /missing required parameter "user_id"/ },
    { argv: ["call", "bhex", "orderGet", "user_id=1"], re: /pass at least one of "order_id", "client_order_id"/ },
    { argv: ["call", "bhex", "statisticsDownloadData", "type=x", "date=2020-01-01"], re: /"type" must be one of/ },
  ])("exit 2 on usage error: $argv", async ({ argv, re }) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
  });

  it("exit 2 naming the env var when a credential is missing", async () => {
    const r = await cli(["call", "bhex", "basicTime"], { BHEX_SECRET_KEY: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BHEX_SECRET_KEY/);
  });
});

describe("the tradeapi bin, as processes", () => {
  it("`mock bhex` prints its URL and credentials; `call bhex` against it prints exact IDs", async () => {
    const mockProcess = await spawnCliMock("bhex", /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*try: /);
    try {
      expect(mockProcess.banner).toContain(`BHEX_ACCESS_KEY=${BHEX_MOCK_ACCESS_KEY}`);
      // The example's records belong to user 217235926081077248: asking for that user gets them.
      const { stdout } = await runCliProcess(["call", "bhex", "statisticsUnlockRecord", "user_id=217235926081077248"], {
        BHEX_BASE_URL: mockProcess.url,
        BHEX_ACCESS_KEY: BHEX_MOCK_ACCESS_KEY,
        BHEX_SECRET_KEY: BHEX_MOCK_SECRET_KEY,
      });
      expect(stdout).toContain('"clientReqId": 410722994621856001');
    } finally {
      mockProcess.stop();
    }
  });
});

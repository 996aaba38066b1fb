/**
 * The CLI samples of the docs run: each is split as a shell would and run (in-process) against
 * the API's emulator. Every sample must be accepted by the CLI (no usage error, exit 2): the
 * operation exists, every parameter name is known and every value has the type and enum the
 * spec asks for; and each succeeds (exit 0) but for the few that name an order or record by the
 * spec's example id, which a fresh emulator has not got.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../src/mock/bhex.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } from "../src/mock/hubi.js";
import { startQuantWsMock } from "../src/mock/quant-ws.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../src/mock/xele.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../src/mock/xt.js";
import { runCliCaptured } from "./helpers/cli.js";
import { tempDir } from "./helpers/temp-dir.js";
import { join } from "node:path";
import { allSamples } from "./docs/samples-typecheck.js";

/** Split a sample command as sh would: single quotes, backslash-newline continuations. */
export function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  const text = cmd.replace(/\\\n/g, " ");
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      cur = (cur ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (c === "\\") {
      cur = (cur ?? "") + text[++i];
    } else if (/\s/.test(c)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else cur = (cur ?? "") + c;
  }
  if (cur !== null) words.push(cur);
  return words;
}

const env: Record<string, NodeJS.ProcessEnv> = {};
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  const xt = await startXtMock();
  const hubi = await startHubiMock();
  const bhex = await startBhexMock();
  const xele = await startXeleMock();
  const quantWs = await startQuantWsMock();
  closers.push(() => xt.close(), () => hubi.close(), () => bhex.close(), () => xele.close(), () => quantWs.close());
  env["quant-ws"] = { QUANT_WS_URL: quantWs.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
  env.xt = { XT_BASE_URL: xt.url, XT_ACCESS_KEY: XT_MOCK_ACCESS_KEY, XT_SECRET_KEY: XT_MOCK_SECRET_KEY };
  env.hubi = { HUBI_BASE_URL: hubi.url, HUBI_ACCESS_KEY: HUBI_MOCK_ACCESS_KEY, HUBI_SECRET_KEY: HUBI_MOCK_SECRET_KEY, HUBI_ACCESS_TOKEN: HUBI_MOCK_ACCESS_TOKEN };
  env.bhex = { BHEX_BASE_URL: bhex.url, BHEX_ACCESS_KEY: BHEX_MOCK_ACCESS_KEY, BHEX_SECRET_KEY: BHEX_MOCK_SECRET_KEY };
  env.xele = { XELE_MA_URL: xele.maUrl, XELE_MS_URL: xele.msUrl, XELE_USERNAME: XELE_MOCK_USERNAME, XELE_PASSWORD: XELE_MOCK_PASSWORD };
});
afterAll(async () => {
  for (const c of closers) await c();
});

describe("docs CLI samples", () => {
  it("split as the shell splits them", () => {
    expect(shellWords("npx tradeapi call xt order \\\n  market=btc_usdt \\\n  'data=[{\"a\":1}]' 'n=it'\\''s'")).toEqual(["npx", "tradeapi", "call", "xt", "order", "market=btc_usdt", 'data=[{"a":1}]', "n=it's"]);
  });

  it("every one is accepted by the CLI against the emulator (no usage error), and succeeds unless it names a record the emulator has not got", async () => {
    const refused: string[] = [];
    const answeredNo: string[] = [];
    for (const { api, operationId, samples } of allSamples()) {
      const cli = samples.find((s) => s.label === "CLI");
      if (!cli) continue;
      const argv = shellWords(cli.source);
      // The WebSocket API's requests are named by their wire op (place_order), as `list` shows them.
      if (api === "quant-ws") expect(argv.slice(0, 5).join(" ")).toMatch(/^npx tradeapi (call quant-ws \w+|ws login --platform)$/);
      else expect(argv.slice(0, 5)).toEqual(["npx", "tradeapi", "call", api, operationId]);
      // (a file answer's --output goes to a scratch folder, not the working tree)
      const out = argv.indexOf("--output");
      if (out > 0) argv[out + 1] = join(tempDir("cli-sample-"), argv[out + 1]!);
      const run = await runCliCaptured(argv.slice(2), env[api]!);
      if (run.code === 2) refused.push(`${api} ${operationId}: ${run.stderr.trim()}`);
      else if (run.code !== 0) answeredNo.push(`${api} ${operationId}`);
    }
    expect(refused).toEqual([]);
    // An order, task or record the sample names by the spec's example id (a fresh emulator holds none)
    // or a seat it does not serve; any other failure is a sample a reader cannot run (a limit
    // order without its price, batch items given as "<items>").
    expect(answeredNo.sort()).toEqual([
      "bhex financeGetAirDropResult",
      "bhex financeGetBatchLockPositionResult",
      "bhex financeGetBatchTransferResult",
      "bhex financeGetBatchUnlockPositionResult",
      "bhex orderCancel",
      "bhex orderGet",
      "hubi amendOrder",
      "hubi cancelOrder",
      "hubi cancelOrderBatch",
      "hubi queryOrderById",
      "xele auditCashInOut",
      "xele deleteAuthCode",
      "xele updateAuthCode",
      "xele updateFrontControls",
      "xt cancel",
      "xt getOrder",
    ]);
  }, 180_000);
});

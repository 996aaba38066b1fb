/**
 * The CLI samples of the docs run: each is split as a shell would and run (in-process) against
 * the API's emulator. Every sample must be accepted by the CLI (no usage error, exit 2): the
 * operation exists, every parameter name is known and every value has the type and enum the
 * spec asks for; and each succeeds (exit 0) but for the few that name an order or record by the
 * spec's example id, which a fresh emulator has not got.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readApis } from "../scripts/api-registry.js";
import { findApi, type CliApi, type RunningMock } from "../src/cli/registry.js";
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

/** A `try:` command of an emulator's hint: its environment and its arguments. */
interface TryLine {
  env: NodeJS.ProcessEnv;
  argv: string[];
}

/** The `try: NAME=value … npx tradeapi …` commands of a mock's hint (the lines a user pastes). */
export function tryLines(hint: string): TryLine[] {
  const out: TryLine[] = [];
  for (const m of hint.matchAll(/^(?:try:)?\s*((?:[A-Z][A-Z0-9_]*=\S* +)+)(npx tradeapi .*)$/gm)) {
    const env = Object.fromEntries(shellWords(m[1]!).map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]));
    out.push({ env, argv: shellWords(m[2]!) });
  }
  return out;
}

/** `tradeapi mock <api>` as the CLI starts it (its registry entry's module), with its hint's `try:` lines. */
async function startMock(api: string): Promise<{ cli: CliApi; mock?: RunningMock; tries: TryLine[] }> {
  const cli = await findApi(api).load();
  if (!cli.startMock) return { cli, tries: [] };
  const mock = await cli.startMock({ port: 0, flags: {}, log: () => {} });
  closers.push(() => mock.close());
  return { cli, mock, tries: tryLines(mock.hint ?? "") };
}

/** Per API, what `tradeapi mock <api>` says to use it: the environment of its hint's `try:` line. */
const env: Record<string, NodeJS.ProcessEnv> = {};
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  // Every API of redocly.yaml, from its CLI registry entry and its emulator (a new API needs no line here).
  for (const api of readApis()) {
    const { tries } = await startMock(api.name);
    const call = tries.find((t) => t.argv[2] === "call") ?? tries[0];
    if (call) env[api.name] = call.env;
  }
}, 60_000);
afterAll(async () => {
  for (const c of closers) await c();
});

describe("each emulator's hint", () => {
  it("reads its try: lines", () => {
    expect(tryLines("credentials: A_KEY=k\ntry: A_URL=http://127.0.0.1:1 A_KEY=k npx tradeapi call a getThing x=1\n     A_URL=u npx tradeapi ws demo")).toEqual([
      { env: { A_URL: "http://127.0.0.1:1", A_KEY: "k" }, argv: ["npx", "tradeapi", "call", "a", "getThing", "x=1"] },
      { env: { A_URL: "u" }, argv: ["npx", "tradeapi", "ws", "demo"] },
    ]);
  });

  it("gives a try: line for every API with an emulator, whose call names an operation of the API and runs (exit 0)", async () => {
    const failed: string[] = [];
    for (const api of readApis()) {
      // (an emulator of its own: the samples' run below starts from a fresh one)
      const { cli, mock, tries } = await startMock(api.name);
      if (!mock) continue;
      const calls = tries.filter((t) => t.argv[2] === "call");
      if (!calls.length) failed.push(`${api.name}: no \`try: … npx tradeapi call ${api.name} <operation>\` line (the CLI module's firstCall)`);
      for (const t of calls) {
        const [, , , name, op] = t.argv;
        const ops = cli.operations;
        if (name !== api.name || !ops.some((o) => o.operationId === op || o.aliases?.includes(op!))) {
          failed.push(`${api.name}: the hint's \`${t.argv.join(" ")}\` names no operation of ${api.name} (firstCall)`);
          continue;
        }
        const run = await runCliCaptured(t.argv.slice(2), t.env);
        if (run.code !== 0) failed.push(`${api.name}: \`${t.argv.join(" ")}\` exited ${run.code}: ${run.stderr.trim()}`);
      }
    }
    expect(failed).toEqual([]);
  }, 60_000);
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
    // An order, task or record the sample names by the spec's example id (a fresh emulator holds none),
    // a user it does not know (BHEX account balance and finance lock/unlock for user 1: 31009) or a seat it does not serve; any other failure is a sample a reader cannot run (a limit
    // order without its price, batch items given as "<items>").
    expect(answeredNo.sort()).toEqual([
      "bhex accountBalance",
      "bhex financeGetAirDropResult",
      "bhex financeGetBatchLockPositionResult",
      "bhex financeGetBatchTransferResult",
      "bhex financeGetBatchUnlockPositionResult",
      "bhex financeLock",
      "bhex financeUnlock",
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

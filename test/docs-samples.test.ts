/**
 * The docs' code samples (scripts/docs-samples.ts) compile: every TypeScript sample is written
 * out as a module importing the package's subpaths (mapped to src/) and type-checked with tsc,
 * so a renamed operation, parameter or option breaks this test instead of the docs.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/api-registry.js";
import { allSamples, writeSamples } from "./docs/samples-typecheck.js";

const dir = mkdtempSync(join(ROOT, ".tmp-docs-samples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("docs code samples", () => {
  it("every OpenAPI operation has a call() and a CLI sample naming its operationId", () => {
    const all = allSamples();
    expect(all.length).toBeGreaterThan(150);
    for (const { api, operationId, samples } of all) {
      const call = samples.find((s) => s.label === "call()");
      if (api === "quant-ws") continue; // the next test
      expect(call?.source, `${api} ${operationId}`).toMatch(new RegExp(`\\.call\\("${operationId}"|\\.login\\(\\)`));
      if (!/\.login\(\)/.test(call!.source)) expect(samples.find((s) => s.label === "CLI")?.source).toMatch(new RegExp(`^npx tradeapi call ${api} ${operationId}\\b`));
      // each client is made for the server the CLI's environment names (XT's and Hubi's went to the exchange)
      const urls = { xt: ["XT_BASE_URL"], hubi: ["HUBI_BASE_URL"], bhex: ["BHEX_BASE_URL"], xele: ["XELE_MA_URL", "XELE_MS_URL"] }[api] ?? [];
      for (const name of urls) expect(call!.source, `${api} ${operationId}`).toContain(`process.env.${name}`);
    }
  });

  it("every quant-ws operation (requests and notifications) has a typed session sample; requests a CLI one", () => {
    const ws = allSamples().filter((s) => s.api === "quant-ws");
    expect(ws.length).toBeGreaterThanOrEqual(16);
    for (const { operationId, samples } of ws) {
      const ts = samples.find((s) => s.label === "call()");
      expect(ts?.source, operationId).toMatch(/^import \{ createQuantWsClient(, QuantWsServerError)? \} from "tradeapi\/quant-ws";$/m);
      expect(ts?.source, operationId).toMatch(/session\.request\("[a-z_]+"|session\.(on|logout)\(|gw\.(login|ping|on)\(/);
      // pasted as it is, it ends (it left the client open: the process ran on)
      expect(ts?.source, operationId).toMatch(/await gw\.close\(\)/);
    }
    const byId = Object.fromEntries(ws.map((s) => [s.operationId, s.samples]));
    expect(byId.placeOrder!.map((s) => s.source).join("\n")).toMatch(/session\.request\("place_order", \{[^}]*symbol: "ETH\/USDT"[\s\S]*order_type: "LIMIT"/);
    expect(byId.placeOrder!.find((s) => s.label === "CLI")?.source).toMatch(/^npx tradeapi call quant-ws place_order symbol=ETH\/USDT action=BUY price=\S+ quantity=\S+ order_type=LIMIT\n$/);
    expect(byId.receiveFillNotification![0]!.source).toContain('session.on("fill"');
    expect(byId.login!.find((s) => s.label === "CLI")?.source).toMatch(/^npx tradeapi ws login --platform okex/);
  });

  it("type-check against the sources (tsc --noEmit over every TypeScript sample, plus a wrong one that must fail)", async () => {
    const written = writeSamples(dir);
    expect(written.length).toBeGreaterThan(250);
    // A canary: the getOrder sample with a misspelt operation id must not compile, so the check can fail.
    writeSamples(join(dir, "canary"), (src) => src.replace('.call("getOrder"', '.call("getOrdr"'), (w) => w.api === "xt" && w.operationId === "getOrder");
    const tsc = join(ROOT, "node_modules/.bin/tsc");
    const output = await promisify(execFile)(tsc, ["-p", join(dir, "tsconfig.json")], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }).then(
      () => "",
      (e: { stdout?: string; message: string }) => e.stdout || e.message,
    );
    const errors = output.split("\n").filter((l) => /error TS/.test(l));
    expect(errors.filter((l) => !l.startsWith("canary/")), "samples that do not compile").toEqual([]);
    expect(errors.some((l) => l.startsWith("canary/xt/getOrder.0.ts") && l.includes("getOrdr"))).toBe(true);
  }, 300_000);
});

/**
 * README examples that place an order run as written against the emulators, not only compile
 * (test/readme-samples.test.ts): the Hubi block looked up and cancelled order numbers of its
 * own invention ("2024-1", which no server knows) instead of the one its enterOrder returned,
 * and the Quant gateway block's `for await … s.stream("order")`, opened after its order's
 * notifications had passed, never ended. Each block is run as a module with its client pointed
 * at an emulator (the only change: the base URL), the names it uses but does not define
 * given the emulator's credentials.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { quantWsMeta } from "../generated/quant-ws.js";
import { ROOT } from "../scripts/api-registry.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } from "../src/mock/hubi.js";
import { startQuantWsMock } from "../src/mock/quant-ws.js";

mkdirSync(join(ROOT, ".tmp"), { recursive: true });
const dir = mkdtempSync(join(ROOT, ".tmp", "readme-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The README's ```ts block that holds `marker`. */
function block(marker: string): string {
  const md = readFileSync(join(ROOT, "README.md"), "utf8");
  const found = [...md.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!).filter((b) => b.includes(marker));
  expect(found, `README blocks holding ${marker}`).toHaveLength(1);
  return found[0]!;
}

/** Where the module of `subpath` is in src/. */
const source = (subpath: string) => pathToFileURL(join(ROOT, `src/handwritten/${subpath}/index.ts`)).href;

/**
 * Run `code` as a module (the README's `tradeapi/…` imports read from src/, `given` declared
 * first, the names `exported` exported); rejects when it fails or has not ended within `ms`.
 */
async function run(name: string, code: string, given: Record<string, string>, exported: string[], ms = 20_000): Promise<Record<string, unknown>> {
  const text = [
    code.replace(/from "tradeapi\/([\w-]+)"/g, (_m, sub: string) => `from ${JSON.stringify(source(sub))}`),
    `export { ${exported.join(", ")} };`,
  ].join("\n");
  const lines = text.split("\n");
  const imports = lines.filter((l) => /^import /.test(l));
  const body = lines.filter((l) => !/^import /.test(l));
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, [...imports, ...Object.entries(given).map(([k, v]) => `const ${k} = ${JSON.stringify(v)};`), ...body].join("\n"));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the README block (${name}) had not ended after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([import(pathToFileURL(file).href) as Promise<Record<string, unknown>>, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("README examples run as written against the emulators", () => {
  it("Hubi: the order enterOrder placed is the one looked up and cancelled", async () => {
    const mock = await startHubiMock();
    try {
      const code = block('hubi.call("enterOrder"').replace("createHubiClient({ ", `createHubiClient({ baseUrl: ${JSON.stringify(mock.url)}, `);
      const out = await run("hubi", code, { accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN }, ["orderNo", "order"]);
      expect(out.orderNo).toEqual(expect.any(String));
      expect(JSON.stringify(out.order, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).toContain(out.orderNo as string);
    } finally {
      await mock.close();
    }
  }, 30_000);

  it("Quant gateway: the order's notifications are read up to its final status, and the block ends", async () => {
    const mock = await startQuantWsMock();
    try {
      const original = block("createQuantWsClient({");
      // (the spec's address, read from the generated metadata: a channel or server changed in the spec fails here until the README says it)
      const url = JSON.stringify(quantWsMeta.serverUrl);
      expect(original).toContain(url);
      const code = original.replace(url, JSON.stringify(mock.url));
      const started = Date.now();
      const out = await run("quant-ws", code, { accessKey: "ak", secretKey: "sk" }, ["orderNo", "all"]);
      expect(out.orderNo).toEqual(expect.any(String));
      expect(out.all).toMatchObject({ symbol: "ETH/USDT" });
      expect(Date.now() - started).toBeLessThan(15_000); // (not the stream's own 30 s bound: its final status ended the loop)
    } finally {
      await mock.close();
    }
  }, 30_000);
});

describe("the Quant gateway's address where prose states it", () => {
  it("README's example, the client's and the emulator's doc comments say the spec's server URL and channel (they kept /ws/v1 after the spec's channel changed)", () => {
    const read = (f: string) => readFileSync(join(ROOT, f), "utf8");
    const urls = (f: string) => [...read(f).matchAll(/ws:\/\/127\.0\.0\.1:\d+[^\s"'`)]*/g)].map((m) => m[0].replace(/[.,;:]$/, ""));
    expect(urls("README.md").length).toBeGreaterThan(0);
    expect(urls("src/handwritten/quant-ws/client.ts").length).toBeGreaterThan(0);
    for (const f of ["README.md", "src/handwritten/quant-ws/client.ts"]) expect(urls(f), f).toEqual(urls(f).map(() => quantWsMeta.serverUrl));
    const channels = [...read("src/mock/quant-ws.ts").matchAll(/the spec's channel, ([^\s*]+?)\.?\s/g)].map((m) => m[1]);
    expect(channels).toEqual([quantWsMeta.channel]);
  });
});

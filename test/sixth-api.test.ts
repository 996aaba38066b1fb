/**
 * docs/adding-an-api.md, proved: a sixth REST API made of a fixture spec
 * (test/fixtures/sixth-api/demo-rest.yaml) and the doc's own code, as written (steps 3-6, its
 * `acme` named `demo`: test/helpers/adding-an-api.ts lays the doc's blocks out beside what `npm
 * run generate` writes for the fixture). The doc's client, its index, its CLI module and
 * registry entry, and its emulator are type-checked with step 7's code samples, then run:
 * called through the library, the CLI (the doc's entry added with registerApi, run in-process)
 * and both emulators (the doc's, and one with handlers built from the shared spec-driven
 * src/mock/http-mock.ts). Nothing in src/ names this API.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT, type ApiEntry } from "../scripts/api-registry.js";
import { operationSamples, operationsOf, readSpec } from "../scripts/docs-samples.js";
import { buildAll, redoclyLint } from "../scripts/generate.js";
import { AuthError, CredentialsError, OrderNotFoundError, UsageError } from "../src/handwritten/core/errors.js";
import type { ApiDocMeta } from "../src/handwritten/core/meta.js";
import { createRestClient } from "../src/handwritten/core/rest-client.js";
import { registerApi, type ApiEntry as CliApiEntry } from "../src/cli/registry.js";
import { startHttpMock, type HttpMock, type MockRequest } from "../src/mock/http-mock.js";
import { authorizeDemo, demoSignature } from "./fixtures/sixth-api/auth.js";
import { writeDocTree, writeDocTsconfig } from "./helpers/adding-an-api.js";
import { runCliCaptured } from "./helpers/cli.js";
import { docMetaOf } from "./helpers/spec-meta.js";
import { fcSeed } from "./helpers/fc-seed.js";

const SPEC = "test/fixtures/sixth-api/demo-rest.yaml";
const SECRET = "s3cret";

/** The metadata `npm run generate` would write for this spec (same extractor, same bigint handling). */
function metaOf(spec: string): ApiDocMeta {
  const doc = parse(readFileSync(spec, "utf8"), { intAsBigInt: true }) as Record<string, unknown>;
  return docMetaOf("demo", spec, doc);
}
const meta = metaOf(SPEC);

/** Step 2's redocly.yaml entry, for the fixture as `demo` (the doc's `acme`). */
const ENTRY: ApiEntry = { name: "demo", root: SPEC, kind: "openapi", typesOutput: "generated/demo.ts", metaOutput: "generated/demo.meta.ts" };

/** What a test calls of the doc's client (its types are checked by tsc, below). */
interface DocClient {
  call(operationId: string, params?: Record<string, unknown>, opts?: object): Promise<unknown>;
  GET(path: string, init?: object): Promise<{ data?: unknown; error?: unknown; response: Response }>;
}
/** The doc's modules, loaded: steps 4 (index.ts), 5 (the registry entry) and 6 (the emulator). */
interface DocApi {
  createDemoClient(options?: Record<string, unknown>): DocClient;
  demoMeta: { api: string };
  startDemoMock(options?: Record<string, unknown>): Promise<HttpMock>;
  DEMO_MOCK_SECRET_KEY: string;
  entry: CliApiEntry;
}

/** The doc's files and the fixture's generated ones, laid out as in the project (see writeDocTree). */
const tree = mkdtempSync(join(ROOT, ".tmp-sixth-api-"));
let generated: Map<string, string>;
let written: string[];
let doc: DocApi;
let unregister = (): void => undefined;
let mock: HttpMock;
const seen: MockRequest[] = [];

beforeAll(async () => {
  generated = await buildAll([ENTRY]);
  written = writeDocTree(tree, generated);
  const load = async (path: string) => (await import(pathToFileURL(join(tree, path)).href)) as Record<string, unknown>;
  doc = { ...(await load("src/handwritten/demo/index.ts")), ...(await load("src/mock/demo.ts")), ...(await load("src/cli/demo-entry.ts")) } as unknown as DocApi;
  // Step 5: the doc's registry entry as written (its `call` flags, its variables, its module).
  unregister = registerApi(doc.entry);
  // An emulator with handlers for the operations a test follows: routes and example answers
  // from the spec; the API adds its signature check.
  mock = await startHttpMock({
    meta,
    authenticate: (req) => {
      seen.push(req);
      if (req.op.security.length === 0) return undefined;
      return req.headers["x-sig"] === demoSignature(SECRET, req.path) ? undefined : { status: 401, body: { code: 401, msg: "bad signature" } };
    },
    handlers: {
      getOrder: (req) =>
        req.path.endsWith("/9007199254740993")
          ? { body: '{"code":0,"data":{"id":9007199254740993,"status":"open"}}' }
          : { body: { code: 404, msg: "no such order" } },
      placeOrder: (req) => ({ body: { code: 0, data: { id: 9007199254740993n, echo: req.json } } }),
    },
  });
}, 60_000);
afterAll(async () => {
  unregister();
  await mock?.close();
  rmSync(tree, { recursive: true, force: true });
});

/**
 * Step 2 of the doc, `npm run generate`, on the fixture as `specs/openapi/acme.yaml`: the same
 * checks (redocly lint with the project's ruleset, the spec rules of scripts/spec-rules.ts,
 * then the types and both metadata files), nothing written.
 */
describe("the fixture passes what `npm run generate` checks", () => {
  it("redocly lint: no errors (public operations say `security: []`)", () => {
    expect(redoclyLint([SPEC])).toBeUndefined();
  }, 30_000);

  it("the spec rules, the types and the metadata (x-retryable on every operation, …)", () => {
    // (buildAll ran on the fixture before the tests: a spec rule it breaks fails them all)
    expect([...generated.keys()].sort()).toEqual(["generated/README.md", "generated/demo.docs.ts", "generated/demo.meta.ts", "generated/demo.ts"]);
    // (the metadata this test runs the API with is what generate writes)
    expect(generated.get("generated/demo.docs.ts")).toContain('"operationId": "placeOrder"');
  });
});

describe("the fixture's signer (known answers from `printf '%s' … | sha256sum`)", () => {
  it.each([
    { path: "/v1/orders/9007199254740993", want: "2fd90bb52a6ea7ed2e2e6884d406d3403fa45f9ceb5c165956226dca5152cdb7" },
    { path: "/v1/orders", want: "c085e480d8c24b12f3b32ef1d8fd8063ed559183ed14da965f5d990081ddf0d6" },
  ])("$path", ({ path, want }) => {
    const signed = authorizeDemo({ method: "GET", path, query: [], form: null, headers: {} as Record<string, string> }, { secretKey: SECRET });
    expect(signed.headers["X-SIG"]).toBe(want);
    expect(signed.secrets).toEqual([SECRET, want]);
  });
});

describe("the doc's signer (step 3) is the fixture's, and checks its inputs", () => {
  const body = (text: string, name: string) => {
    const from = text.indexOf(`export function ${name}<`);
    expect(from, name).toBeGreaterThanOrEqual(0);
    return text.slice(from, text.indexOf("\n}\n", from) + 2);
  };

  it("the same function", () => {
    const doc = body(readFileSync("docs/adding-an-api.md", "utf8"), "authorizeAcme");
    expect(body(readFileSync("test/fixtures/sixth-api/auth.ts", "utf8"), "authorizeDemo").replace("authorizeDemo", "authorizeAcme")).toBe(doc);
  });

  it("anything a JavaScript caller passes: a signed request or a UsageError, never a TypeError (as test/core/public-inputs.test.ts asks of every exported signer)", () => {
    const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true });
    const request = fc.record({ method: fc.constantFrom("GET", "POST"), path: fc.string(), query: fc.array(fc.tuple(fc.string(), fc.string())), form: fc.constant(null), headers: fc.dictionary(fc.string(), fc.string()) });
    fc.assert(
      fc.property(fc.oneof(fc.tuple(anything, anything), fc.tuple(request, anything), fc.tuple(request, fc.record({ secretKey: anything }))), ([a, b]) => {
        try {
          authorizeDemo(a as never, b as never);
        } catch (e) {
          if (!(e instanceof UsageError)) throw new Error(`threw ${String(e)}`, { cause: e });
        }
      }),
      { seed: fcSeed(20261202), numRuns: 1000 },
    );
    expect(() => authorizeDemo({ method: "GET", path: "/v1/orders", query: [], form: null, headers: {} }, { secretKey: 5 as never })).toThrow(new UsageError("the secret key must be a non-empty string"));
  });
});

describe("the doc's code compiles as written, typed by the spec (steps 3-7)", () => {
  it("tsc over its modules and step 7's TypeScript samples, strict; a misspelt operation or path does not compile", async () => {
    expect(written.map((f) => f.slice(tree.length + 1)).filter((f) => f.startsWith("src/")).sort()).toEqual([
      "src/auth/demo.ts",
      "src/cli/apis/demo.ts",
      "src/cli/demo-entry.ts",
      "src/handwritten/demo/client.ts",
      "src/handwritten/demo/index.ts",
      "src/mock/demo.ts",
    ]);
    const spec = readSpec(readFileSync(SPEC, "utf8"));
    const samples: string[] = [];
    const write = (file: string, source: string) => {
      mkdirSync(join(tree, file, ".."), { recursive: true });
      writeFileSync(join(tree, file), `${source}\nexport {};\n`);
      samples.push(join(tree, file));
    };
    for (const [method, path, op] of operationsOf(spec)) {
      operationSamples(spec, "demo", method, path, op)
        .filter((x) => x.lang === "TypeScript")
        .forEach((x, i) => write(`samples/${op.operationId}.${i}.ts`, x.source));
    }
    expect(samples.length).toBe(6); // call() and openapi-fetch for each of the three operations
    // Canaries: with `call` or the paths typed loosely (any string, or `never` for every path) one of these compiles, or every sample fails.
    write("canary/call.ts", readFileSync(join(tree, "samples/getTime.0.ts"), "utf8").replace('.call("getTime"', '.call("getTme"'));
    write("canary/get.ts", readFileSync(join(tree, "samples/getTime.1.ts"), "utf8").replace('.GET("/v1/time"', '.GET("/v1/tme"'));
    writeDocTsconfig(tree, [...written, ...samples]);
    const tsc = join(ROOT, "node_modules/.bin/tsc");
    const output = await promisify(execFile)(tsc, ["-p", join(tree, "tsconfig.json")], { cwd: tree, maxBuffer: 16 * 1024 * 1024 }).then(
      () => "",
      (e: { stdout?: string; message: string }) => e.stdout || e.message,
    );
    const errors = output.split("\n").filter((l) => /error TS/.test(l));
    expect(errors.filter((l) => !l.startsWith("canary/")), "the doc's code and samples that do not compile").toEqual([]);
    expect(errors.some((l) => l.startsWith("canary/call.ts") && l.includes("getTme"))).toBe(true);
    expect(errors.some((l) => l.startsWith("canary/get.ts(7,"))).toBe(true); // (the path no operation has: the call does not type-check)
  }, 180_000);
});

describe("a sixth API through the library (the doc's client, step 4)", () => {
  it("the subpath's exports: the factory, the signer, the runtime metadata", () => {
    expect(typeof doc.createDemoClient).toBe("function");
    expect((doc as unknown as Record<string, unknown>).authorizeDemo).toBeTypeOf("function");
    expect(doc.demoMeta.api).toBe("demo");
  });

  it("public call unsigned, signed calls with X-SIG, int64 exact, JSON body placed from the spec", async () => {
    const demo = doc.createDemoClient({ baseUrl: mock.url, secretKey: SECRET });
    seen.length = 0;
    expect(await demo.call("getTime")).toEqual({ now: 1700000000000 });
    expect(seen[0]!.headers["x-sig"]).toBeUndefined();
    expect(await demo.call("getOrder", { id: 9007199254740993n })).toEqual({ id: 9007199254740993n, status: "open" });
    const placed = (await demo.call("placeOrder", { symbol: "BTC", qty: 1.5 })) as { id: bigint; echo: unknown };
    expect(placed.id).toBe(9007199254740993n);
    expect(placed.echo).toEqual({ symbol: "BTC", qty: 1.5 });
    expect(seen[2]!.headers["x-sig"]).toBe(demoSignature(SECRET, "/v1/orders"));
  });

  it("the openapi-fetch surface: template path + params.path, { data } / { error }", async () => {
    const demo = doc.createDemoClient({ baseUrl: mock.url, secretKey: SECRET });
    const ok = await demo.GET("/v1/orders/{id}", { params: { path: { id: 9007199254740993n } } });
    expect(ok.data).toEqual({ code: 0, data: { id: 9007199254740993n, status: "open" } });
    expect(ok.response.status).toBe(200);
    const missing = await demo.GET("/v1/orders/{id}", { params: { path: { id: 5 } } });
    expect(missing.error).toBeInstanceOf(OrderNotFoundError); // the spec's x-error-codes
  });

  it("a wrong secret is an AuthError without the secret; a missing one says which option to pass", async () => {
    const wrong = doc.createDemoClient({ baseUrl: mock.url, secretKey: "not-the-secret", retry: false });
    const e = await wrong.call("getOrder", { id: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AuthError);
    expect(JSON.stringify(e) + String((e as Error).stack)).not.toContain("not-the-secret");
    const none = doc.createDemoClient({ baseUrl: mock.url });
    await expect(none.call("getOrder", { id: 1 })).rejects.toThrow(new CredentialsError("missing secretKey: pass { secretKey } to the client", { api: "demo", operation: "getOrder" }));
    await expect(none.call("placeOrder", { symbol: "BTC" })).rejects.toBeInstanceOf(UsageError); // qty is required
  });

  it("a configuration that cannot work is a UsageError naming the field; a misspelt one (`signer`) is refused, not left unsigned", () => {
    const sign = (req: never) => req;
    const made = (config: unknown) => () => createRestClient(config as never);
    for (const [config, message] of [
      [undefined, "createRestClient takes the API's configuration { api, meta, name, options, sign, … }"],
      [null, "createRestClient: the configuration must be an object of options, got null"],
      [{ api: "" , meta }, 'createRestClient: api must be the API\'s name (a non-empty string), got ""'],
      [{ api: "demo", meta: {} }, "demo createRestClient: meta must be the API's runtime metadata (generated/<spec>.meta.ts), got object"],
      [{ api: "demo", meta, signer: sign }, 'createRestClient: the configuration: "signer" is not an option (did you mean "sign"?)'],
      [{ api: "demo", meta, sign: "hmac" }, 'demo createRestClient: sign must be a function, got "hmac"'],
      [{ api: "demo", meta, credentials: "s3cret" }, "demo createRestClient: credentials must be an object of name → value, got string"],
      [{ api: "demo", meta, options: null }, "demo: options must be an object of options, got null"],
    ] as const) {
      expect(made(config)).toThrow(UsageError);
      expect(made(config)).toThrow(message);
    }
    // Options left out: none (a client of the spec's server, nothing signed until a credential is given).
    expect(typeof createRestClient({ api: "demo", meta, name: "DemoClient" } as never).call).toBe("function");
  });
});

describe("the doc's emulator (step 6)", () => {
  it("answers the spec's examples (it is given the docs metadata) and refuses a wrong signature as the vendor does", async () => {
    const emulator = await doc.startDemoMock();
    try {
      const demo = doc.createDemoClient({ baseUrl: emulator.url, secretKey: doc.DEMO_MOCK_SECRET_KEY });
      expect(await demo.call("getTime")).toEqual({ now: 1700000000000 });
      expect(await demo.call("getOrder", { id: 9007199254740993n })).toEqual({ id: 9007199254740993n, status: "open" });
      expect(await demo.call("placeOrder", { symbol: "BTC", qty: 1 })).toEqual({ id: 9007199254740993n });
      const wrong = doc.createDemoClient({ baseUrl: emulator.url, secretKey: "not-the-secret", retry: false });
      await expect(wrong.call("getOrder", { id: 1 })).rejects.toBeInstanceOf(AuthError);
    } finally {
      await emulator.close();
    }
    await expect(doc.startDemoMock({ prot: 8080 })).rejects.toThrow(UsageError); // (a misspelt option, as every emulator)
  });
});

describe("a sixth API through the CLI (the doc's registry entry and module, step 5)", () => {
  it("its docs pages get code samples (step 7): the client made from the registry entry's variables; an API in no registry is named", () => {
    const spec = readSpec(readFileSync(SPEC, "utf8"));
    const [method, path, op] = operationsOf(spec).find(([, , o]) => o.operationId === "placeOrder")!;
    const samples = operationSamples(spec, "demo", method, path, op);
    expect(samples.map((x) => x.label)).toEqual(["call()", "openapi-fetch", "CLI"]);
    expect(samples[0]!.source).toBe(
      'import { createDemoClient } from "tradeapi/demo";\n\nconst demo = createDemoClient({\n  secretKey: process.env.DEMO_SECRET_KEY,\n  baseUrl: process.env.DEMO_BASE_URL,\n});\nconst result = await demo.call("placeOrder", { symbol: "<symbol>", qty: 1 });\n',
    );
    expect(() => operationSamples(spec, "nosuch", method, path, op)).toThrow('docs samples: API "nosuch" has no entry in src/cli/registry.ts');
  });

  it("list, call with every digit, and the missing-credential hint names the variable", async () => {
    const env = { DEMO_BASE_URL: mock.url, DEMO_SECRET_KEY: SECRET };
    const list = await runCliCaptured(["list", "demo"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("getOrder");
    const got = await runCliCaptured(["call", "demo", "getOrder", "id=9007199254740993"], env);
    expect(got.stderr).toBe("");
    expect(got.code).toBe(0);
    expect(got.stdout).toContain('"id": 9007199254740993');
    const placed = await runCliCaptured(["call", "demo", "placeOrder", "symbol=ETH", "qty=2"], env);
    expect(placed.code).toBe(0);
    expect(placed.stdout).toContain('"symbol": "ETH"');
    // The REST flags, as on every REST API (an entry without callFlags: "unknown flag --timeout", exit 2), given to the client.
    const timed = await runCliCaptured(["call", "demo", "getTime", "--timeout", "2000"], env);
    expect({ code: timed.code, stderr: timed.stderr }).toEqual({ code: 0, stderr: "" });
    expect(timed.stdout).toContain('"now": 1700000000000');
    const capped = await runCliCaptured(["call", "demo", "getTime", "--max-response-bytes", "10"], env);
    expect(capped.code).toBe(1);
    expect(capped.stderr).toMatch(/10 bytes/);
    const noKey = await runCliCaptured(["call", "demo", "getOrder", "id=1"], { DEMO_BASE_URL: mock.url });
    expect(noKey.code).toBe(2);
    // (in the CLI's words: its variable, not the library's `pass { secretKey } to the client`)
    expect(noKey.stderr).toContain("missing secretKey: set DEMO_SECRET_KEY");
  });
});

/**
 * docs/adding-an-api.md, proved: a sixth REST API made of a fixture spec
 * (test/fixtures/sixth-api/demo-rest.yaml) and a trivial pure signer (X-SIG = sha256(secret +
 * path), test/fixtures/sixth-api/auth.ts), called through the library (createRestClient), the
 * CLI (an entry added with registerApi, run in-process) and an emulator built from the
 * shared spec-driven src/mock/http-mock.ts. Nothing in src/ names this API.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ApiEntry } from "../scripts/api-registry.js";
import { operationSamples, operationsOf, readSpec } from "../scripts/docs-samples.js";
import { buildAll, redoclyLint } from "../scripts/generate.js";
import { normalizeBigints, extractMeta } from "../scripts/openapi-meta.js";
import { AuthError, CredentialsError, OrderNotFoundError, UsageError } from "../src/handwritten/core/errors.js";
import { parseJson, stringifyJson } from "../src/handwritten/core/json.js";
import type { ApiDocMeta } from "../src/handwritten/core/meta.js";
import { createRestClient, type RestClientOptions } from "../src/handwritten/core/rest-client.js";
import { restCliApi } from "../src/cli/apis/rest.js";
import { registerApi } from "../src/cli/registry.js";
import { startHttpMock, type HttpMock, type MockRequest } from "../src/mock/http-mock.js";
import { authorizeDemo, demoSignature } from "./fixtures/sixth-api/auth.js";
import { runCliCaptured } from "./helpers/cli.js";

const SPEC = "test/fixtures/sixth-api/demo-rest.yaml";
const SECRET = "s3cret";

/** The metadata `npm run generate` would write for this spec (same extractor, same bigint handling). */
function metaOf(spec: string): ApiDocMeta {
  const doc = parse(readFileSync(spec, "utf8"), { intAsBigInt: true }) as Record<string, unknown>;
  return parseJson(stringifyJson(normalizeBigints(extractMeta("demo", spec, doc)))) as ApiDocMeta;
}
const meta = metaOf(SPEC);

/** Step 3 of the doc: the client is configuration of the shared factory. */
function createDemoClient(options: RestClientOptions & { secretKey?: string }) {
  return createRestClient({
    api: "demo",
    meta,
    name: "DemoClient",
    options,
    credentials: { secretKey: options.secretKey },
    sign: (req, { credential }) => authorizeDemo(req, { secretKey: credential("secretKey") }),
  });
}

let mock: HttpMock;
const seen: MockRequest[] = [];

beforeAll(async () => {
  // The emulator: routes and example answers from the spec; the API adds its signature check.
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
});
afterAll(() => mock?.close());

/**
 * Step 2 of the doc, `npm run generate`, on the fixture as `specs/openapi/acme.yaml`: the same
 * checks (redocly lint with the project's ruleset, the spec rules of scripts/spec-rules.ts,
 * then the types and both metadata files), nothing written.
 */
describe("the fixture passes what `npm run generate` checks", () => {
  const entry: ApiEntry = { name: "demo", root: SPEC, kind: "openapi", typesOutput: "generated/demo-rest.ts", metaOutput: "generated/demo-rest.meta.ts" };

  it("redocly lint: no errors (public operations say `security: []`)", () => {
    expect(redoclyLint([SPEC])).toBeUndefined();
  }, 30_000);

  it("the spec rules, the types and the metadata (x-retryable on every operation, …)", async () => {
    const files = await buildAll([entry]);
    expect([...files.keys()].sort()).toEqual(["generated/README.md", "generated/demo-rest.docs.ts", "generated/demo-rest.meta.ts", "generated/demo-rest.ts"]);
    // (the metadata this test runs the API with is what generate writes)
    expect(files.get("generated/demo-rest.docs.ts")).toContain('"operationId": "placeOrder"');
  }, 30_000);
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
      { seed: 20261202, numRuns: 1000 },
    );
    expect(() => authorizeDemo({ method: "GET", path: "/v1/orders", query: [], form: null, headers: {} }, { secretKey: 5 as never })).toThrow(new UsageError("the secret key must be a non-empty string"));
  });
});

describe("a sixth API through the library", () => {
  it("public call unsigned, signed calls with X-SIG, int64 exact, JSON body placed from the spec", async () => {
    const demo = createDemoClient({ baseUrl: mock.url, secretKey: SECRET });
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
    const demo = createDemoClient({ baseUrl: mock.url, secretKey: SECRET });
    const request = demo.request as unknown as (m: string, p: string, init?: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
    const ok = await request("get", "/v1/orders/{id}", { params: { path: { id: 9007199254740993n } } });
    expect(ok.data).toEqual({ code: 0, data: { id: 9007199254740993n, status: "open" } });
    expect(ok.response.status).toBe(200);
    const missing = await request("get", "/v1/orders/{id}", { params: { path: { id: 5 } } });
    expect(missing.error).toBeInstanceOf(OrderNotFoundError); // the spec's x-error-codes
  });

  it("a wrong secret is an AuthError without the secret; a missing one says which option to pass", async () => {
    const wrong = createDemoClient({ baseUrl: mock.url, secretKey: "not-the-secret", retry: false });
    const e = await wrong.call("getOrder", { id: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AuthError);
    expect(JSON.stringify(e) + String((e as Error).stack)).not.toContain("not-the-secret");
    const none = createDemoClient({ baseUrl: mock.url });
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

describe("a sixth API through the CLI (registry entry added at run time)", () => {
  let unregister: () => void;
  beforeAll(() => {
    unregister = registerApi({
      name: "demo",
      env: [
        { name: "DEMO_SECRET_KEY", setting: "secretKey", description: "secret key used to sign (X-SIG)", secret: true },
        { name: "DEMO_BASE_URL", setting: "baseUrl", description: "base URL", url: "http" },
      ],
      // (as docs/adding-an-api.md step 5 writes it: no callFlags, the client factory given the settings)
      load: async () => restCliApi({ meta, client: async () => createDemoClient }),
    });
  });
  afterAll(() => unregister());

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
    expect(noKey.stderr).toContain("pass { secretKey }");
    expect(noKey.stderr).toContain("DEMO_SECRET_KEY");
  });
});

/**
 * The generator refuses a spec whose vocabulary values the runtime would take silently
 * (scripts/spec-rules.ts): each problem one line naming the spec file and the place.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { readApis, ROOT } from "../scripts/api-registry.js";
import { buildAll, specProblems, SpecProblemsError } from "../scripts/generate.js";
import { extractMeta } from "../scripts/openapi-meta.js";
import { asyncapiProblems, documentedExtensions, openapiProblems, operationIdProblems } from "../scripts/spec-rules.js";
import { tempDir } from "./helpers/temp-dir.js";

const known = documentedExtensions(ROOT);
const quantWs = () => parse(readFileSync(join(ROOT, "specs/asyncapi/quant-ws.yaml"), "utf8"), { intAsBigInt: true }) as Record<string, any>;
const xt = () => parse(readFileSync(join(ROOT, "specs/openapi/xt-spot.yaml"), "utf8"), { intAsBigInt: true }) as Record<string, any>;

describe("the spec vocabulary's values are checked before generating", () => {
  it("the project's specs have no problems", () => {
    expect(specProblems(readApis())).toEqual([]);
  });

  it("a misspelt operation key: the unknown key named with the closest one, and the missing x-retryable", () => {
    const doc = xt();
    const op = doc.paths["/trade/api/v1/order"].post;
    op["x-retryabel"] = op["x-retryable"];
    delete op["x-retryable"];
    expect(openapiProblems(doc, known)).toEqual([
      "paths./trade/api/v1/order.post.x-retryabel: unknown extension x-retryabel (did you mean x-retryable?); docs/spec-conventions.md lists the vocabulary",
      "paths./trade/api/v1/order.post: x-retryable (true or false) is required on every operation, got nothing",
    ]);
  });

  it("a $ref into another file (the metadata would not read what it names); a property named $ref is a field", () => {
    const doc = xt();
    doc.components.schemas.OrderId = { $ref: "./common.yaml#/OrderId" };
    doc.components.schemas.Account.properties.$ref = { type: "string" };
    // (a "$ref" inside an example, a default or an enum is data, not a reference)
    doc.components.schemas.Account.example = { $ref: "./data.json" };
    doc.components.schemas.Account.properties.name.default = { $ref: "x.yaml" };
    expect(openapiProblems(doc, known)).toEqual([
      'components.schemas.OrderId: $ref "./common.yaml#/OrderId" points into another file; a spec is one file (the metadata and spec diff read it alone): put what it names under components',
    ]);
  });

  it("an operation without an operationId (Redocly only warns; the metadata invented one and the docs build crashed)", () => {
    const doc = xt();
    delete doc.paths["/data/api/v1/getTicker"].get.operationId;
    doc.paths["/trade/api/v1/order"].post.operationId = "";
    expect(openapiProblems(doc, known)).toEqual([
      'paths./data/api/v1/getTicker.get: GET /data/api/v1/getTicker has no operationId (got nothing); every operation needs one: it is the name client.call() and `tradeapi call` take',
      'paths./trade/api/v1/order.post: POST /trade/api/v1/order has no operationId (got ""); every operation needs one: it is the name client.call() and `tradeapi call` take',
    ]);
    expect(operationIdProblems(doc)).toEqual(openapiProblems(doc, known));
    // (the metadata never invents one either)
    expect(() => extractMeta("xt", "specs/openapi/xt-spot.yaml", doc)).toThrow("GET /data/api/v1/getTicker: no operationId");
  });

  it("an x-pagination parameter the operation does not have (renamed in the parameters, not in x-pagination: the paginator would page nothing)", () => {
    const doc = xt();
    const op = doc.paths["/trade/api/v1/getOpenOrders"].get;
    const size = op.parameters.find((p: { name?: string }) => p.name === "pageSize");
    size.name = "size";
    expect(openapiProblems(doc, known)).toEqual(['paths./trade/api/v1/getOpenOrders.get: x-pagination.sizeParam names "pageSize", which is no parameter of the operation']);
    // Xele's limit is a field of the request's data (in: data), and the project's specs name only what is there
    const xele = parse(readFileSync(join(ROOT, "specs/openapi/xele-mgmt.yaml"), "utf8"), { intAsBigInt: true }) as Record<string, any>;
    expect(openapiProblems(xele, known)).toEqual([]);
    const paged = Object.values(xele.paths).flatMap((item: any) => Object.values(item)).find((o: any) => o?.["x-pagination"]?.in === "data") as Record<string, any>;
    paged["x-pagination"].limitParam = "max_results";
    expect(openapiProblems(xele, known)).toEqual([expect.stringMatching(/x-pagination\.limitParam names "max_results", which is no parameter of the operation$/)]);
  });

  it("a misspelt x-pagination style or key (itemField for itemsField: the emulator then answered with the whole answer as the rows), a key of another style, a value of in/timeBounds that is none", () => {
    const doc = xt();
    const rec = doc.paths["/trade/api/v1/getPayInRecord"].get["x-pagination"];
    rec.itemField = rec.itemsField;
    delete rec.itemsField;
    doc.paths["/trade/api/v1/getOpenOrders"].get["x-pagination"].style = "pages";
    Object.assign(doc.paths["/data/api/v1/getKLine"].get["x-pagination"], { fromParam: "since", timeBounds: "closed" });
    expect(openapiProblems(doc, known)).toEqual([
      'paths./data/api/v1/getKLine.get: x-pagination.fromParam is no key of style since (a key of style from-id); docs/spec-conventions.md, Lists',
      'paths./data/api/v1/getKLine.get: x-pagination.timeBounds "closed" is not one of "inclusive", "exclusive"',
      'paths./trade/api/v1/getOpenOrders.get: x-pagination.style "pages" is not a style (from-id, page, since, newest) (did you mean "page"?); docs/spec-conventions.md, Lists',
      "paths./trade/api/v1/getPayInRecord.get: x-pagination.itemField is no key of style page (did you mean itemsField?); docs/spec-conventions.md, Lists",
    ]);
    // BHEX's from-id keys (direction, boundsExclusive, idFieldType) and Xele's in: data are keys of their styles
    const bhex = parse(readFileSync(join(ROOT, "specs/openapi/bhex-org.yaml"), "utf8"), { intAsBigInt: true }) as Record<string, any>;
    expect(openapiProblems(bhex, known)).toEqual([]);
  });

  it("an x-idempotency-key or an x-required-one-of name that is no parameter of the operation (every callWithKey failed, blaming a parameter the caller never passed)", () => {
    const bhex = () => parse(readFileSync(join(ROOT, "specs/openapi/bhex-org.yaml"), "utf8"), { intAsBigInt: true }) as Record<string, any>;
    const doc = bhex();
    const ops = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) => Object.entries(item).map(([m, op]) => ({ place: `paths.${path}.${m}`, op })));
    const withdraw = ops.find((o) => o.op.operationId === "assetWithdraw")!;
    withdraw.op["x-idempotency-key"] = "client_orderid";
    const register = ops.find((o) => o.op["x-required-one-of"]?.[0]?.includes("mobile"))!;
    register.op["x-required-one-of"][0][1] = "e_mail";
    expect(openapiProblems(doc, known)).toEqual([
      `${register.place}: x-required-one-of[0][1] names "e_mail", which is no parameter of the operation (did you mean "email"?)`,
      `${withdraw.place}: x-idempotency-key names "client_orderid", which is no parameter of the operation (did you mean "client_order_id"?)`,
    ]);
    const flat = bhex();
    Object.values(flat.paths as Record<string, Record<string, any>>).flatMap((item) => Object.values(item)).find((op) => op["x-required-one-of"])!["x-required-one-of"] = ["mobile", "email"];
    expect(openapiProblems(flat, known)).toEqual([expect.stringMatching(/: x-required-one-of must be a list of groups of parameter names \(\[\[mobile, email\]\]\), got \["mobile","email"\]$/)]);
  });

  it("auth plumbing listed as an operation's parameter or body field (a required signature query parameter: the caller had to pass it and the client overwrote it)", () => {
    const doc = xt();
    doc.paths["/trade/api/v1/getOpenOrders"].get.parameters.push({ name: "signature", in: "query", required: true, schema: { type: "string" } });
    doc.paths["/trade/api/v1/order"].post.requestBody.content["application/x-www-form-urlencoded"].schema.properties.nonce = { type: "integer" };
    expect(openapiProblems(doc, known)).toEqual([
      "paths./trade/api/v1/order.post: request body field nonce is auth plumbing the signer adds (x-vendor-doc.ignoreParams; security scheme xtAccessKey x-signature.nonceParam): leave it out of the operation, the security scheme says it (listed, the typed call would ask the caller for it and the client overwrite it)",
      "paths./trade/api/v1/getOpenOrders.get: parameter signature (query) is auth plumbing the signer adds (x-vendor-doc.ignoreParams; security scheme xtAccessKey x-signature.signatureParam): leave it out of the operation, the security scheme says it (listed, the typed call would ask the caller for it and the client overwrite it)",
    ]);
    // a header the signer adds, in any case (Hubi's x-headers), and a scheme's own name (BHEX's key header)
    const hubi = parse(readFileSync(join(ROOT, "specs/openapi/hubi-futures.yaml"), "utf8"), { intAsBigInt: true }) as Record<string, any>;
    const [path, item] = Object.entries(hubi.paths as Record<string, Record<string, any>>)[0]!;
    const [method, op] = Object.entries(item).find(([, o]) => o?.operationId)!;
    op.parameters = [...(op.parameters ?? []), { name: "x-api-nonce", in: "header", schema: { type: "string" } }];
    expect(openapiProblems(hubi, known)).toEqual([`paths.${path}.${method}: parameter x-api-nonce (header) is auth plumbing the signer adds (security scheme hubiApiKey x-headers): leave it out of the operation, the security scheme says it (listed, the typed call would ask the caller for it and the client overwrite it)`]);
    // (Xele's token is a field of every request's data by design: a scheme's name is plumbing as a parameter, not as a body field)
    const xele = parse(readFileSync(join(ROOT, "specs/openapi/xele-mgmt.yaml"), "utf8"), { intAsBigInt: true }) as Record<string, any>;
    expect(openapiProblems(xele, known)).toEqual([]);
  });

  it("a rate limit that names no limit (the call would go unlimited)", () => {
    const doc = xt();
    doc.paths["/trade/api/v1/order"].post["x-rate-limit"] = ["ipp"];
    expect(openapiProblems(doc, known)).toEqual([expect.stringMatching(/^paths\.\/trade\/api\/v1\/order\.post: x-rate-limit names "ipp", which x-rate-limits does not define \(.+\)$/)]);
    doc.paths["/trade/api/v1/order"].post["x-rate-limit"] = "ip";
    expect(openapiProblems(doc, known)).toEqual(['paths./trade/api/v1/order.post: x-rate-limit must be a list of limit names, got "ip"']);
  });

  it("an operation's x-server that is the role of no server (Xele's MA renamed MA2 on one side: the client had no URL for it)", () => {
    const doc = parse(readFileSync(join(ROOT, "specs/openapi/xele-mgmt.yaml"), "utf8"), { intAsBigInt: true }) as Record<string, any>;
    expect(openapiProblems(doc, known)).toEqual([]);
    const ma = (doc.servers as Array<Record<string, unknown>>).find((sv) => sv["x-server"] === "MA")!;
    ma["x-server"] = "MA2";
    const problems = openapiProblems(doc, known);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^paths\.\/[^:]+: x-server "MA" is the role of none of the servers \("MA2", "MS"\)$/);
  });

  it("an operation's copy of its server that disagrees with the document's server of its role (Xele's MS port changed at the root only)", () => {
    const doc = parse(readFileSync(join(ROOT, "specs/openapi/xele-mgmt.yaml"), "utf8"), { intAsBigInt: true }) as Record<string, any>;
    const ms = (doc.servers as Array<Record<string, any>>).find((sv) => sv["x-server"] === "MS")!;
    ms.variables.msPort.default = "9181";
    // (prose may differ: a copy reworded is no problem)
    doc.paths["/login"].post.servers[0].description = "MA, reworded";
    const problems = openapiProblems(doc, known);
    const onMs = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.entries(item).filter(([, op]) => op?.["x-server"] === "MS" && Array.isArray(op.servers)).map(([m, op]) => `paths.${path}.${m} (${op.operationId as string})`),
    );
    expect(onMs.length).toBeGreaterThan(10);
    expect(problems).toEqual(onMs.map((where) => `${where}: servers[0] (MS) differs from the document's MS server: variables.msPort.default "8181" (the document's: "9181") (make the operation's copy say what the root servers say)`));
  });

  it("a limit without a usable count or interval", () => {
    const doc = xt();
    const name = Object.keys(doc["x-rate-limits"])[0]!;
    doc["x-rate-limits"][name].intervalMs = 0;
    expect(openapiProblems(doc, known)).toEqual([expect.stringMatching(new RegExp(`^x-rate-limits\\.${name}: needs limit .* and intervalMs .*, got `))]);
  });

  it("an error kind that picks no error class", () => {
    const doc = xt();
    const code = Object.keys(doc["x-error-codes"])[0]!;
    doc["x-error-codes"][code].kind = "insufficent-funds";
    expect(openapiProblems(doc, known)).toEqual([`x-error-codes.${code}.kind: "insufficent-funds" is not an error kind (did you mean "insufficient-funds"?)`]);
  });

  it("an envelope whose success codes are not a list, or whose fields are not names", () => {
    const doc = xt();
    doc["x-envelope"].success = 200;
    doc.paths["/trade/api/v1/order"].post["x-envelope"] = { codeField: 1, success: [0] };
    expect(openapiProblems(doc, known)).toEqual([
      "x-envelope: x-envelope.success must be a list of the success codes, got 200",
      "paths./trade/api/v1/order.post.x-envelope: x-envelope.codeField must be a field name, got 1",
    ]);
  });

  it("AsyncAPI: two messages of one kind under one x-op or x-topic, a notification with neither, an x-kind that is none (generated/quant-ws.ts held \"order\" twice, TS2300)", () => {
    expect(asyncapiProblems(quantWs(), known)).toEqual([]);
    const doc = quantWs();
    const m = doc.components.messages;
    m.assetNotification["x-topic"] = "order";
    m.logoutRequest["x-op"] = "login";
    delete m.fillNotification["x-topic"];
    m.errorMessage["x-kind"] = "eror";
    // (a request and its reply share their op; the pushes share op notify)
    expect(asyncapiProblems(doc, known)).toEqual([
      'components.messages.logoutRequest: x-op "login" is also the x-op of the request components.messages.loginRequest; each request needs its own (the generated types would hold the name twice and the metadata keep only one)',
      'components.messages.errorMessage: x-kind must be one of request, reply, notification, error, got "eror" (did you mean "error"?)',
      "components.messages.fillNotification: a notification needs x-topic (the topic a listener subscribes to), or x-op: state (the state notification); the generated code would leave it out",
      'components.messages.assetNotification: x-topic "order" is also the x-topic of the notification components.messages.orderNotification; each notification needs its own (the generated types would hold the name twice and the metadata keep only one)',
    ]);
    const replies = quantWs();
    replies.components.messages.pongReply["x-op"] = "login";
    delete replies.components.messages.logoutReply["x-op"];
    expect(asyncapiProblems(replies, known)).toEqual([
      "components.messages.logoutReply: a reply needs x-op (the frame's op value)",
      'components.messages.pongReply: x-op "login" is also the x-op of the reply components.messages.loginReply; each reply needs its own (the generated types would hold the name twice and the metadata keep only one)',
    ]);
  });

  it("x-enum-descriptions / x-enum-varnames of another length than the enum beside them (a value inserted shifted every later description onto the wrong value)", () => {
    const doc = xt();
    doc.components.schemas.AccountId.enum.splice(1, 0, 4);
    doc.components.schemas.OrderSide["x-enum-varnames"] = ["SELL", "BUY", "SHORT"];
    doc.components.schemas.EntrustType["x-enum-descriptions"] = "limit or market";
    const kline = doc.paths["/data/api/v1/getKLine"].get.parameters.find((p: { name?: string }) => p.name === "type").schema;
    delete kline.enum;
    // (a field named x-enum-descriptions is a field, and examples are data)
    doc.components.schemas.Account.properties["x-enum-descriptions"] = { type: "string" };
    doc.components.schemas.Account.example = { "x-enum-descriptions": [1], enum: [] };
    expect(openapiProblems(doc, known)).toEqual([
      expect.stringMatching(/^paths\.\/data\/api\/v1\/getKLine\.get\.parameters\.\d+\.schema\.x-enum-descriptions: there is no enum beside it \(9 entries describe nothing\)$/),
      "components.schemas.AccountId.x-enum-descriptions: 3 entries for the 4 values of the enum beside it (one per value, in its order: every entry after a missing or extra one would go with the wrong value)",
      "components.schemas.OrderSide.x-enum-varnames: 3 entries for the 2 values of the enum beside it (one per value, in its order: every entry after a missing or extra one would go with the wrong value)",
      'components.schemas.EntrustType.x-enum-descriptions: must be a list, one entry per enum value, got "limit or market"',
    ]);
    // the state codes of the AsyncAPI spec: a code inserted without its name and description
    const ws = quantWs();
    ws.components.schemas.StateCode.enum.splice(1, 0, 99);
    const n = ws.components.schemas.StateCode.enum.length;
    expect(asyncapiProblems(ws, known)).toEqual(
      ["x-enum-descriptions", "x-enum-varnames"].map((k) => `components.schemas.StateCode.${k}: ${n - 1} entries for the ${n} values of the enum beside it (one per value, in its order: every entry after a missing or extra one would go with the wrong value)`),
    );
  });

  it("buildAll refuses such a spec before generating anything", async () => {
    const dir = tempDir("tradeapi-spec-rules-");
    try {
      mkdirSync(join(dir, "specs/openapi"), { recursive: true });
      mkdirSync(join(dir, "docs"));
      cpSync(join(ROOT, "docs/spec-conventions.md"), join(dir, "docs/spec-conventions.md"));
      const doc = xt();
      doc.paths["/trade/api/v1/order"].post["x-rate-limit"] = ["ipp"];
      writeFileSync(join(dir, "specs/openapi/xt-spot.yaml"), stringify(doc));
      const [api] = readApis().filter((a) => a.name === "xt");
      expect(specProblems([api!], dir)).toEqual([expect.stringMatching(/^specs\/openapi\/xt-spot\.yaml: paths\.\/trade\/api\/v1\/order\.post: x-rate-limit names "ipp"/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const broken = readApis().map((a) => ({ ...a, root: a.name === "xt" ? "specs/openapi/no-such.yaml" : a.root }));
    await expect(buildAll(broken)).rejects.toThrow(/no-such\.yaml/);
    expect(SpecProblemsError.name).toBe("SpecProblemsError");
  });
});

describe("npm run generate on a broken spec: one line per problem, exit 1, no stack, nothing written", () => {
  it("in a copy of the project", async () => {
    const dir = tempDir("tradeapi-generate-broken-");
    try {
      for (const p of ["specs", "scripts", "src", "docs", "generated", "redocly.yaml", "package.json", "tsconfig.json"]) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
      const file = join(dir, "specs/openapi/xt-spot.yaml");
      const doc = xt();
      doc.paths["/trade/api/v1/order"].post["x-rate-limit"] = ["ipp"];
      writeFileSync(file, stringify(doc));
      const before = readFileSync(join(dir, "generated/xt-spot.meta.ts"), "utf8");
      const run = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/generate.ts", "--no-lint"], { cwd: dir }).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^specs\/openapi\/xt-spot\.yaml: paths\.\/trade\/api\/v1\/order\.post: x-rate-limit names "ipp", which x-rate-limits does not define .*\ngenerate: fix the spec problems above \(nothing was written\)\.\n$/);
      expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
      expect(readFileSync(join(dir, "generated/xt-spot.meta.ts"), "utf8")).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("an operation without an operationId, with redocly lint (which only warns): refused, naming the file and the operation", async () => {
    const dir = tempDir("tradeapi-generate-no-id-");
    try {
      for (const p of ["specs", "scripts", "src", "docs", "generated", "redocly.yaml", "package.json", "tsconfig.json"]) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
      const file = join(dir, "specs/openapi/xt-spot.yaml");
      const text = readFileSync(file, "utf8");
      expect(text).toContain("      operationId: getTicker\n");
      writeFileSync(file, text.replace("      operationId: getTicker\n", ""));
      const before = readFileSync(join(dir, "generated/xt-spot.meta.ts"), "utf8");
      const run = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/generate.ts"], { cwd: dir }).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(run.code).toBe(1);
      // the lint's warnings counted in one line, then the refusal
      expect(run.stderr).toMatch(/^redocly lint: \d+ warnings, not errors \(.*specs\/openapi\/xt-spot\.yaml \d+.*\); `npx redocly lint xt hubi bhex xele` shows them\n/);
      expect(run.stderr).toContain("specs/openapi/xt-spot.yaml: paths./data/api/v1/getTicker.get: GET /data/api/v1/getTicker has no operationId (got nothing)");
      expect(run.stderr).toMatch(/\ngenerate: fix the spec problems above \(nothing was written\)\.\n$/);
      expect(readFileSync(join(dir, "generated/xt-spot.meta.ts"), "utf8")).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

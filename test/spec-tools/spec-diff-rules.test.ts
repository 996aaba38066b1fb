/**
 * One fixture pair per rule of docs/spec-diff-rules.md: a small spec before and after one edit,
 * and the classification the rule gives it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diffSpec, formatSummary, type SpecChange } from "../../src/spec-tools/spec-diff.js";

type Doc = Record<string, any>;
const clone = <T>(v: T): T => structuredClone(v);

function openapi(): Doc {
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    servers: [{ url: "https://api.example.com" }],
    "x-error-codes": { "103": { message: "no funds", meaning: "insufficient funds", kind: "insufficient-funds" } },
    "x-rate-limits": { user: { scope: "user", limit: 10, intervalMs: 1000 } },
    components: {
      securitySchemes: { key: { type: "apiKey", in: "header", name: "X-KEY", "x-signature": { algorithm: "HMAC-SHA256" }, "x-login": { operation: "login" } } },
      schemas: { Order: { type: "object", required: ["id"], properties: { id: { type: "string" }, status: { type: "string", enum: ["NEW", "FILLED"] }, price: { type: "number" } } } },
    },
    paths: {
      "/order": {
        get: {
          operationId: "getOrder",
          summary: "Get an order",
          description: "One order.",
          "x-retryable": true,
          "x-rate-limit": ["user"],
          security: [{ key: [] }],
          parameters: [
            { name: "id", in: "query", required: true, schema: { type: "string" } },
            { name: "side", in: "query", required: false, schema: { type: "string", enum: ["buy", "sell"] } },
            { name: "limit", in: "query", required: false, schema: { type: "integer", maximum: 100 } },
          ],
          responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Order" } } } } },
        },
        post: {
          operationId: "placeOrder",
          "x-retryable": false,
          "x-idempotency-key": "client_id",
          "x-request-schema": "PlaceOrderRequest",
          requestBody: { content: { "application/x-www-form-urlencoded": { schema: { type: "object", required: ["qty"], properties: { qty: { type: "string" }, note: { type: "string" }, tif: { type: "string", enum: ["GTC", "IOC"] } } }, example: { qty: "1", note: "first" } } } },
          responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: { orderId: { type: "integer" } } } } } } },
        },
      },
      "/orders": {
        get: {
          operationId: "listOrders",
          "x-retryable": true,
          "x-pagination": { cursor: "from_id" },
          "x-pipe-rows": { columns: ["id", "price"] },
          responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Order" } } } } } },
        },
      },
    },
  };
}

interface Case {
  rule: string;
  edit: (d: Doc) => void;
  kind: SpecChange["kind"];
  message: RegExp;
  operation?: string;
}

const getOrder = (d: Doc) => d.paths["/order"].get;
const placeOrder = (d: Doc) => d.paths["/order"].post;
const orderSchema = (d: Doc) => d.components.schemas.Order;

const CASES: Case[] = [
  { rule: "operation-removed", edit: (d) => delete d.paths["/order"].post, kind: "breaking", message: /operation removed/, operation: "placeOrder" },
  { rule: "operation-added", edit: (d) => (d.paths["/order"].delete = { operationId: "cancelOrder", responses: { "200": { description: "ok" } } }), kind: "non-breaking", message: /operation added/, operation: "cancelOrder" },
  { rule: "deprecated", edit: (d) => (getOrder(d).deprecated = true), kind: "non-breaking", message: /deprecated/, operation: "getOrder" },
  { rule: "param-added-required", edit: (d) => getOrder(d).parameters.push({ name: "market", in: "query", required: true, schema: { type: "string" } }), kind: "breaking", message: /required parameter market added/ },
  { rule: "param-added-optional", edit: (d) => getOrder(d).parameters.push({ name: "market", in: "query", required: false, schema: { type: "string" } }), kind: "non-breaking", message: /optional parameter market added/ },
  { rule: "param-removed", edit: (d) => getOrder(d).parameters.splice(1, 1), kind: "breaking", message: /parameter side removed/ },
  { rule: "param-required", edit: (d) => (getOrder(d).parameters[1].required = true), kind: "breaking", message: /parameter side is now required/ },
  { rule: "param-optional", edit: (d) => (getOrder(d).parameters[0].required = false), kind: "non-breaking", message: /parameter id is now optional/ },
  { rule: "param-retyped", edit: (d) => (getOrder(d).parameters[0].schema.type = "integer"), kind: "breaking", message: /^parameter id type "string" → "integer"$/ },
  { rule: "generic", edit: (d) => delete getOrder(d).parameters[2].schema, kind: "breaking", message: /^parameter limit schema removed$/ },
  { rule: "param-retyped", edit: (d) => (getOrder(d).parameters[0].schema.type = ["string", "integer"]), kind: "non-breaking", message: /type "string" → \["string","integer"\]/ },
  // Widening: an integer is a number; int32 → int64 takes bigints too; a format but int64 dropped.
  { rule: "param-retyped", edit: (d) => (getOrder(d).parameters[2].schema.type = "number"), kind: "non-breaking", message: /^parameter limit type "integer" → "number"$/ },
  // (a format added to a plain integer bounds it to 64 bits: some values are refused now)
  { rule: "param-retyped", edit: (d) => (getOrder(d).parameters[2].schema.format = "int64"), kind: "breaking", message: /^parameter limit format \(none\) → "int64"$/ },
  { rule: "param-retyped", edit: (d) => (getOrder(d).parameters[0].schema.format = "int32"), kind: "breaking", message: /^parameter id format \(none\) → "int32"$/ },
  { rule: "param-added-required", edit: (d) => { const s = placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema; s.properties.price = { type: "string" }; s.required.push("price"); }, kind: "breaking", message: /required request field price added/ },
  { rule: "param-added-optional", edit: (d) => (placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.properties.tag = { type: "string" }), kind: "non-breaking", message: /optional request field tag added/ },
  { rule: "param-removed", edit: (d) => delete placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.properties.note, kind: "breaking", message: /request field note removed/ },
  { rule: "enum-value-added", edit: (d) => getOrder(d).parameters[1].schema.enum.push("short"), kind: "non-breaking", message: /enum value "short" added/ },
  { rule: "enum-value-removed", edit: (d) => getOrder(d).parameters[1].schema.enum.pop(), kind: "breaking", message: /enum value "sell" removed/ },
  // An enum is a set: a value replaced by another is one removed (breaking) and one added (not).
  { rule: "enum-value-removed", edit: (d) => (getOrder(d).parameters[1].schema.enum[1] = "short"), kind: "breaking", message: /^side enum value "sell" removed$/ },
  { rule: "enum-value-added", edit: (d) => (getOrder(d).parameters[1].schema.enum[1] = "short"), kind: "non-breaking", message: /^side enum value "short" added$/ },
  // (one line per field, not one per value: a list of 50 codes made open read as 50 lines per operation)
  { rule: "enum-removed", edit: (d) => delete getOrder(d).parameters[1].schema.enum, kind: "non-breaking", message: /^parameter side enum of 2 values \("buy", "sell"\) removed whole \(any value is taken now\)$/ },
  // a body field of the same name is a line of its own
  { rule: "enum-removed", edit: (d) => { delete getOrder(d).parameters[1].schema.enum; delete placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.properties.tif.enum; }, kind: "non-breaking", message: /^request field tif enum of 2 values \("GTC", "IOC"\) removed whole/ },
  { rule: "constraint", edit: (d) => (getOrder(d).parameters[2].schema.maximum = 50), kind: "breaking", message: /maximum 100 → 50/ },
  { rule: "response-field-added", edit: (d) => (orderSchema(d).properties.fee = { type: "number" }), kind: "non-breaking", message: /response field fee added/ },
  { rule: "response-field-removed", edit: (d) => delete orderSchema(d).properties.price, kind: "breaking", message: /response field price removed/ },
  { rule: "response-field-retyped", edit: (d) => (orderSchema(d).properties.price.type = "string"), kind: "breaking", message: /response field price type "number" → "string"/ },
  { rule: "response-field-retyped", edit: (d) => (placeOrder(d).responses["200"].content["application/json"].schema.properties.orderId.type = "string"), kind: "breaking", message: /response field orderId type "integer" → "string"/ },
  { rule: "response-field-optional", edit: (d) => (orderSchema(d).required = []), kind: "breaking", message: /response field id is no longer always present/ },
  { rule: "response-field-required", edit: (d) => orderSchema(d).required.push("price"), kind: "non-breaking", message: /response field price is now always present/ },
  { rule: "response-enum-changed", edit: (d) => orderSchema(d).properties.status.enum.push("CANCELED"), kind: "breaking", message: /enum value "CANCELED" added/ },
  { rule: "response-enum-changed", edit: (d) => (orderSchema(d).properties.status.enum[1] = "DONE"), kind: "breaking", message: /status enum value "FILLED" removed$/ },
  { rule: "response-enum-changed", edit: (d) => (orderSchema(d).properties.status.enum[1] = "DONE"), kind: "breaking", message: /status enum value "DONE" added$/ },
  // The whole enum gone from an answer: any value may come now (it read as if that value were no longer sent).
  { rule: "response-enum-changed", edit: (d) => delete orderSchema(d).properties.status.enum, kind: "breaking", message: /^response status enum of 2 values \("NEW", "FILLED"\) removed whole \(any value may come now\)$/ },
  { rule: "response-status", edit: (d) => (getOrder(d).responses["404"] = { description: "not found" }), kind: "non-breaking", message: /response 404 added/ },
  { rule: "servers", edit: (d) => (d.servers[0].url = "https://api2.example.com"), kind: "breaking", message: /server changed/ },
  { rule: "security", edit: (d) => (d.components.securitySchemes.key.name = "X-ACCESS-KEY"), kind: "breaking", message: /^security scheme key: name "X-KEY" → "X-ACCESS-KEY"$/ },
  { rule: "security", edit: (d) => (d.components.securitySchemes.key.in = "query"), kind: "breaking", message: /^security scheme key: in "header" → "query"$/ },
  { rule: "security", edit: (d) => (d.components.securitySchemes.other = { type: "http", scheme: "bearer" }), kind: "breaking", message: /^security scheme other: added$/ },
  { rule: "x-signature", edit: (d) => (d.components.securitySchemes.key["x-signature"].algorithm = "HMAC-SHA512"), kind: "breaking", message: /^security scheme key: x-signature\.algorithm: "HMAC-SHA256" → "HMAC-SHA512"$/ },
  { rule: "x-signature", edit: (d) => (d.components.securitySchemes.key["x-signature"].notes = "The Python SDK upper-cases the hex."), kind: "docs", message: /x-signature\.notes/ },
  // Every key but the prose names part of the signing (BHEX's keyHeader, XT's nonceParam were docs: exit 0 with --fail-on breaking).
  { rule: "x-signature", edit: (d) => (d.components.securitySchemes.key["x-signature"].keyHeader = "X-BH-APIKEY"), kind: "breaking", message: /^security scheme key: x-signature\.keyHeader: \(none\) → "X-BH-APIKEY"$/ },
  { rule: "x-signature", edit: (d) => (d.components.securitySchemes.key["x-signature"].nonceParam = "ts"), kind: "breaking", message: /^security scheme key: x-signature\.nonceParam: \(none\) → "ts"$/ },
  { rule: "x-signature", edit: (d) => (d.components.securitySchemes.key["x-signature"].variants = { python: "sorted by value" }), kind: "docs", message: /^security scheme key: x-signature\.variants: / },
  { rule: "x-signature", edit: (d) => (d.components.securitySchemes.key["x-signature"].testVector = { method: "GET", signature: "ab" }), kind: "docs", message: /^security scheme key: x-signature\.testVector: / },
  { rule: "response-field-added", edit: (d) => { orderSchema(d).properties.description = { type: "string" }; }, kind: "non-breaking", message: /response field description added/ },
  { rule: "param-added-optional", edit: (d) => (placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.properties.type = { type: "string" }), kind: "non-breaking", message: /optional request field type added/ },
  { rule: "docs-only", edit: (d) => (getOrder(d).description = "One order, by id."), kind: "docs", message: /description changed/ },
  // A key removed inside an example: the example is still there, changed.
  { rule: "docs-only", edit: (d) => delete placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].example.note, kind: "docs", message: /^example changed$/, operation: "placeOrder" },
  { rule: "docs-only", edit: (d) => delete placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].example, kind: "docs", message: /^example removed$/, operation: "placeOrder" },
  { rule: "x-error-codes", edit: (d) => delete d["x-error-codes"]["103"], kind: "breaking", message: /error code 103 removed/ },
  { rule: "x-error-codes", edit: (d) => (d["x-error-codes"]["104"] = { message: "busy", kind: "unavailable" }), kind: "non-breaking", message: /^error code 104 added: busy \(kind unavailable\)$/ },
  // the meaning a package user can act on, and the error class (no kind: it was "((none))")
  { rule: "x-error-codes", edit: (d) => (d["x-error-codes"]["309"] = { message: "时间戳错误", meaning: "Request timestamp outside the window", kind: "timestamp" }), kind: "non-breaking", message: /^error code 309 added: Request timestamp outside the window \(kind timestamp\)$/ },
  { rule: "x-error-codes", edit: (d) => (d["x-error-codes"]["405"] = {}), kind: "non-breaking", message: /^error code 405 added \(no kind\)$/ },
  { rule: "x-error-codes", edit: (d) => (d["x-error-codes"]["103"].kind = "invalid-request"), kind: "breaking", message: /error code 103 kind "insufficient-funds" → "invalid-request"/ },
  { rule: "x-error-codes", edit: (d) => (d["x-error-codes"]["103"].meaning = "Insufficient balance"), kind: "docs", message: /error code 103 meaning/ },
  { rule: "x-retryable", edit: (d) => (getOrder(d)["x-retryable"] = false), kind: "non-breaking", message: /x-retryable true → false \(the client no longer retries/ },
  { rule: "x-rate-limit", edit: (d) => getOrder(d)["x-rate-limit"].push("ip"), kind: "non-breaking", message: /rate limit x-rate-limit/ },
  { rule: "x-idempotency-key", edit: (d) => delete placeOrder(d)["x-idempotency-key"], kind: "breaking", message: /x-idempotency-key: "client_id" → \(none\)/ },
  { rule: "x-pagination", edit: (d) => (d.paths["/orders"].get["x-pagination"].cursor = "to_id"), kind: "breaking", message: /x-pagination\.cursor: "from_id" → "to_id"/ },
  { rule: "x-pagination", edit: (d) => (d.paths["/orders"].get["x-pagination"].startParam = "start_time"), kind: "non-breaking", message: /x-pagination\.startParam: \(none\) → "start_time"/ },
  // (columns by name: rows without a header line are read by position, so a column added there breaks; with a header it does not)
  { rule: "x-pipe-rows", edit: (d) => d.paths["/orders"].get["x-pipe-rows"].columns.push("qty"), kind: "breaking", message: /^pipe rows column "qty" added at position 3 \(after "price"; rows without a header line are read by position\)$/ },
  { rule: "x-pipe-rows", edit: (d) => Object.assign(d.paths["/orders"].get["x-pipe-rows"], { header: true, columns: ["id", "qty", "price"] }), kind: "non-breaking", message: /^pipe rows column "qty" added at position 2 \(after "id"; the header line names the columns\)$/ },
  { rule: "x-pipe-rows", edit: (d) => d.paths["/orders"].get["x-pipe-rows"].columns.pop(), kind: "breaking", message: /^pipe rows column "price" removed \(was at position 2\)$/ },
  { rule: "x-pipe-rows", edit: (d) => d.paths["/orders"].get["x-pipe-rows"].columns.reverse(), kind: "breaking", message: /^pipe rows column "(id|price)" moved from position \d to \d \(rows without a header line are read by position\)$/ },
  { rule: "docs-only", edit: (d) => (orderSchema(d)["x-pipe-columns"] = ["id", "status"]), kind: "docs", message: /x-pipe-columns added/ },
  { rule: "extension-other", edit: (d) => (getOrder(d)["x-transport"] = "query"), kind: "non-breaking", message: /x-transport: \(none\) → "query"/ },
  { rule: "operation-renamed", edit: (d) => (getOrder(d).operationId = "fetchOrder"), kind: "breaking", message: /operationId "getOrder" → "fetchOrder"/, operation: "getOrder" },
  // The same operationId at another path or method: one change naming the move (it was "removed" + "added").
  { rule: "operation-moved", edit: (d) => { d.paths["/v2/order"] = d.paths["/order"]; delete d.paths["/order"]; }, kind: "breaking", message: /^operation moved: GET \/order → GET \/v2\/order /, operation: "getOrder" },
  { rule: "operation-moved", edit: (d) => { d.paths["/order"].put = getOrder(d); delete d.paths["/order"].get; }, kind: "breaking", message: /^operation moved: GET \/order → PUT \/order /, operation: "getOrder" },
  { rule: "param-renamed", edit: (d) => (getOrder(d).parameters[1].name = "direction"), kind: "breaking", message: /parameter side renamed to direction/ },
  // A rename that also changes the schema is not certain: removed + added.
  { rule: "param-removed", edit: (d) => Object.assign(getOrder(d).parameters[1], { name: "direction", schema: { type: "integer" } }), kind: "breaking", message: /parameter side removed/ },
  { rule: "param-added-optional", edit: (d) => Object.assign(getOrder(d).parameters[1], { name: "direction", schema: { type: "integer" } }), kind: "non-breaking", message: /optional parameter direction added/ },
  { rule: "param-required", edit: (d) => placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.required.push("note"), kind: "breaking", message: /request field note is now required/ },
  { rule: "param-optional", edit: (d) => (placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.required = []), kind: "non-breaking", message: /request field qty is now optional/ },
  { rule: "param-retyped", edit: (d) => (placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.properties.qty.type = "number"), kind: "breaking", message: /request field qty type "string" → "number"/ },
  { rule: "enum-value-removed", edit: (d) => placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.properties.tif.enum.pop(), kind: "breaking", message: /tif enum value "IOC" removed/ },
  { rule: "enum-value-added", edit: (d) => placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.properties.tif.enum.push("FOK"), kind: "non-breaking", message: /tif enum value "FOK" added/ },
  // OpenAPI enums get no generated constants from their names: documentation.
  { rule: "x-enum-varnames", edit: (d) => (orderSchema(d).properties.status["x-enum-varnames"] = ["ORDER_NEW", "ORDER_FILLED"]), kind: "docs", message: /enum names x-enum-varnames: \(none\) → \["ORDER_NEW","ORDER_FILLED"\]/ },
  { rule: "response-status", edit: (d) => delete getOrder(d).responses["200"], kind: "breaking", message: /response 200 removed/ },
  { rule: "constraint", edit: (d) => delete getOrder(d).parameters[2].schema.maximum, kind: "non-breaking", message: /maximum 100 → \(none\)/ },
  // A request's range widened keeps every caller working; narrowed (a bound added), it refuses values it took.
  { rule: "constraint", edit: (d) => (getOrder(d).parameters[2].schema.maximum = 500), kind: "non-breaking", message: /^parameter limit maximum 100 → 500$/ },
  { rule: "constraint", edit: (d) => (getOrder(d).parameters[2].schema.minimum = 10), kind: "breaking", message: /^parameter limit minimum \(none\) → 10$/ },
  { rule: "constraint", edit: (d) => (getOrder(d).parameters[0].schema.pattern = "^[0-9]+$"), kind: "breaking", message: /^parameter id pattern \(none\) → "\^\[0-9\]\+\$"$/ },
  // An answer's the reverse: a bound added (narrower) breaks no consumer.
  { rule: "constraint", edit: (d) => (orderSchema(d).properties.price.minimum = 0), kind: "non-breaking", message: /^response field price minimum \(none\) → 0$/ },
  // a request body field says it is one
  { rule: "constraint", edit: (d) => (placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.properties.qty.maxLength = 20), kind: "breaking", message: /^request field qty maxLength \(none\) → 20$/, operation: "placeOrder" },
  { rule: "constraint", edit: (d) => (placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.additionalProperties = false), kind: "breaking", message: /^request schema additionalProperties \(none\) → false \(fields it does not list are refused\)$/ },
  { rule: "constraint", edit: (d) => (placeOrder(d).requestBody.content["application/x-www-form-urlencoded"].schema.additionalProperties = true), kind: "non-breaking", message: /additionalProperties \(none\) → true/ },
  { rule: "security", edit: (d) => (getOrder(d).security = []), kind: "breaking", message: /^security requirement \{"key":\[\]\} removed$/, operation: "getOrder" },
  { rule: "servers", edit: (d) => d.servers.push({ url: "https://b.example.com" }), kind: "non-breaking", message: /server added: "https:\/\/b\.example\.com"/ },
  { rule: "servers", edit: (d) => (d.servers[0].description = "The one server."), kind: "docs", message: /^server description changed$/ },
  { rule: "servers", edit: (d) => (d.servers[0].variables = { region: { default: "eu" } }), kind: "breaking", message: /server changed: variables \(none\) → \{"region":\{"default":"eu"\}\}/ },
  // type and format changed together: one line
  { rule: "response-field-retyped", edit: (d) => Object.assign(orderSchema(d).properties.price, { type: "string", format: "decimal" }), kind: "breaking", message: /^response field price type "number" → "string" \("decimal"\)$/ },
  { rule: "param-retyped", edit: (d) => Object.assign(getOrder(d).parameters[2].schema, { type: "number", format: "double" }), kind: "breaking", message: /^parameter limit type "integer" → "number" \("double"\)$/ },
  { rule: "x-login", edit: (d) => (d.components.securitySchemes.key["x-login"].operation = "signIn"), kind: "breaking", message: /x-login\.operation: "login" → "signIn"/ },
  { rule: "x-rate-limit", edit: (d) => (d["x-rate-limits"].user.limit = 5), kind: "non-breaking", message: /rate limit x-rate-limits\.user\.limit: 10 → 5/ },
  { rule: "x-envelope", edit: (d) => (getOrder(d)["x-envelope"] = false), kind: "non-breaking", message: /x-envelope: \(none\) → false/ },
  { rule: "x-get-body", edit: (d) => (getOrder(d)["x-get-body"] = true), kind: "non-breaking", message: /x-get-body: \(none\) → true/ },
  { rule: "x-request-schema", edit: (d) => (placeOrder(d)["x-request-schema"] = "OrderRequest"), kind: "breaking", message: /x-request-schema: "PlaceOrderRequest" → "OrderRequest"/ },
  { rule: "component-unused", edit: (d) => (d.components.schemas.Fee = { type: "object", properties: { amount: { type: "string" } } }), kind: "non-breaking", message: /^added \(no operation uses it\)$/, operation: "schema Fee" },
];

describe("spec diff rules (OpenAPI): one fixture pair per rule", () => {
  for (const c of CASES) {
    it(`${c.rule}: ${c.message.source}`, async () => {
      const before = openapi();
      const after = clone(before);
      c.edit(after);
      const changes = await diffSpec("t", before, after);
      const hit = changes.find((x) => c.message.test(x.message));
      expect(hit, JSON.stringify(changes, null, 1)).toBeDefined();
      expect(hit!.kind).toBe(c.kind);
      expect(hit!.rule).toBe(c.rule);
      if (c.operation) expect(hit!.operation).toBe(c.operation);
      // every change found is described (api-smart-diff gives x- extensions no description)
      for (const x of changes) expect(x.message).not.toMatch(/undefined|^\s*$/);
    });
  }
  it("a long text changed near its end shows the part that changed, not two equal cut-offs", async () => {
    const before = openapi();
    const long = "Take every parameter that is sent, including the access key and the nonce but not the signature, sorted by name, joined with &";
    before.components.securitySchemes.key["x-signature"].canonicalString = long;
    const after = clone(before);
    after.components.securitySchemes.key["x-signature"].canonicalString = long.replace("joined with &", "joined with & (raw values)");
    const [c] = await diffSpec("t", before, after);
    expect(c!.message).toMatch(/^security scheme key: x-signature\.canonicalString: /);
    const [was, now] = c!.message.replace(/^security scheme key: x-signature\.canonicalString: /, "").split(" → ");
    expect(was).not.toBe(now);
    expect(now).toContain("(raw values)");
  });

  it("a request format that lets more through is non-breaking: int32 → int64, int32 dropped; int64 dropped takes bigint away", async () => {
    const withFormat = (format: string | undefined) => {
      const d = openapi();
      if (format) getOrder(d).parameters[2].schema.format = format;
      return d;
    };
    const kinds = async (from: string | undefined, to: string | undefined) => (await diffSpec("t", withFormat(from), withFormat(to))).map((c) => [c.kind, c.message]);
    expect(await kinds("int32", "int64")).toEqual([["non-breaking", 'parameter limit format "int32" → "int64"']]);
    expect(await kinds("int32", undefined)).toEqual([["non-breaking", 'parameter limit format "int32" → (none)']]);
    expect(await kinds("int64", undefined)).toEqual([["breaking", 'parameter limit format "int64" → (none)']]);
    expect(await kinds("int64", "int32")).toEqual([["breaking", 'parameter limit format "int64" → "int32"']]);
  });

  it("a request body schema moved into components (or inlined from there) is no change; a change made while moving it is still breaking", async () => {
    const before = openapi();
    const moved = clone(before);
    const content = placeOrder(moved).requestBody.content["application/x-www-form-urlencoded"];
    moved.components.schemas.PlaceOrderForm = { properties: content.schema.properties, required: content.schema.required, type: "object" };
    content.schema = { $ref: "#/components/schemas/PlaceOrderForm" };
    expect(await diffSpec("t", before, moved)).toEqual([]);
    expect(await diffSpec("t", moved, before)).toEqual([]);
    const changed = clone(moved);
    changed.components.schemas.PlaceOrderForm.required = [...changed.components.schemas.PlaceOrderForm.required, "note"];
    // (reported as api-smart-diff reads a body it sees moved: not by field, but breaking, at the operation)
    const changes = await diffSpec("t", before, changed);
    expect(changes.filter((c) => c.kind === "breaking").map((c) => c.operation)).toContain("placeOrder");
  });

  it("no change, no output", async () => {
    expect(await diffSpec("t", openapi(), openapi())).toEqual([]);
  });

  it("servers with an x-server role are matched by their role, not their place: two swapped are no change", async () => {
    const roles = () => {
      const d = openapi();
      const server = (role: string, port: string) => ({ url: `http://{host}:{port}`, description: `${role} server`, variables: { host: { default: "127.0.0.1" }, port: { default: port, description: "its port" } }, "x-server": role });
      d.servers = [server("MA", "8899"), server("MS", "8181")];
      getOrder(d).servers = [server("MS", "8181")];
      return d;
    };
    const swapped = roles();
    swapped.servers.reverse();
    expect(await diffSpec("t", roles(), swapped)).toEqual([]);
    const edited = roles();
    edited.servers[1].variables.port.default = "9999";
    edited.servers[0].description = "The auth server.";
    getOrder(edited).servers[0].variables.port.default = "9000";
    edited.servers.push({ url: "http://{host}:1", variables: { host: { default: "x" } }, "x-server": "MX" });
    const lines = (await diffSpec("t", roles(), edited)).map((c) => [c.operation, c.kind, c.message]);
    expect(lines).toEqual([
      [undefined, "docs", "server MA description changed"],
      [undefined, "breaking", 'server MS changed: variable port default "8181" → "9999"'],
      [undefined, "non-breaking", 'server added: MX "http://{host}:1"'],
      ["getOrder", "breaking", 'server MS changed: variable port default "8181" → "9000"'],
    ]);
    const removed = roles();
    removed.servers.pop();
    expect((await diffSpec("t", roles(), removed)).map((c) => [c.kind, c.message])).toEqual([["breaking", 'server removed: MS "http://{host}:{port}"']]);
    // a second server of one role is an addition (it was no change)
    const twice = roles();
    twice.servers.push({ ...structuredClone(twice.servers[0]), url: "http://b:1" });
    expect((await diffSpec("t", roles(), twice)).map((c) => [c.kind, c.message])).toEqual([["non-breaking", 'server added: MA "http://b:1"']]);
  });

  it("type and format are one line only as a schema's keywords: in an x- extension or a default they are data, each change its own", async () => {
    const before = openapi();
    getOrder(before)["x-meta"] = { type: "string", format: "a" };
    const after = clone(before);
    getOrder(after)["x-meta"] = { type: "integer", format: "b" };
    const lines = (await diffSpec("t", before, after)).map((c) => c.message).sort();
    expect(lines).toEqual(['x-meta.format: "a" → "b"', 'x-meta.type: "string" → "integer"']);
  });

  it("a tuple's place (prefixItems) is named by its index", async () => {
    const before = openapi();
    orderSchema(before).properties.fills = { type: "array", items: { type: "array", prefixItems: [{ type: "integer" }, { type: "number" }] } };
    const after = clone(before);
    orderSchema(after).properties.fills.items.prefixItems[1].type = "string";
    const lines = (await diffSpec("t", before, after)).filter((c) => c.operation === "getOrder").map((c) => c.message);
    expect(lines).toEqual(['response field fills[][1] type "number" → "string"']);
  });

  it("a field's schema made nullable (a $ref in an anyOf with null): the answer's field may now be null (breaking); a request's takes null (not breaking)", async () => {
    const before = openapi();
    before.components.schemas.Side = { type: "string", enum: ["BUY", "SELL"] };
    orderSchema(before).properties.side = { $ref: "#/components/schemas/Side" };
    placeOrder(before).requestBody.content["application/x-www-form-urlencoded"].schema.properties.side = { $ref: "#/components/schemas/Side" };
    const after = clone(before);
    orderSchema(after).properties.side = { anyOf: [{ $ref: "#/components/schemas/Side" }, { type: "null" }] };
    placeOrder(after).requestBody.content["application/x-www-form-urlencoded"].schema.properties.side = { anyOf: [{ $ref: "#/components/schemas/Side" }, { type: "null" }] };
    const changes = await diffSpec("t", before, after);
    expect(changes.filter((c) => c.operation === "getOrder").map((c) => [c.kind, c.message])).toEqual([["breaking", "response field side may now be null"]]);
    expect(changes.filter((c) => c.operation === "placeOrder").map((c) => [c.kind, c.message])).toEqual([["non-breaking", "request field side may now be null"]]);
    // and back: the answer's narrower (not breaking), the request's refuses null (breaking)
    const back = await diffSpec("t", after, before);
    expect(back.filter((c) => c.operation === "getOrder").map((c) => [c.kind, c.message])).toEqual([["non-breaking", "response field side can no longer be null"]]);
    expect(back.filter((c) => c.operation === "placeOrder").map((c) => [c.kind, c.message])).toEqual([["breaking", "request field side can no longer be null"]]);
  });

  it("a number that may now be text (type → anyOf of number and string): one breaking line for the answer (a oneOf beside properties stays api-smart-diff's: see below)", async () => {
    const after = openapi();
    orderSchema(after).properties.price = { anyOf: [{ type: "number" }, { type: "string", pattern: "^[0-9.]+$" }] };
    const lines = (await diffSpec("t", openapi(), after)).filter((c) => c.operation === "getOrder").map((c) => [c.kind, c.message]);
    expect(lines).toEqual([["breaking", 'response field price may now be of type "string"']]);
  });

  it("a required field removed is one line (not also 'no longer always present')", async () => {
    const after = openapi();
    delete orderSchema(after).properties.id;
    orderSchema(after).required = [];
    const lines = (await diffSpec("t", openapi(), after)).filter((c) => c.operation === "getOrder").map((c) => c.message);
    expect(lines).toEqual(["response field id removed"]);
  });

  it("a range response (4XX, 5XX) is compared like any other: its fields, and the range added or removed", async () => {
    const errorBody = (code: string) => ({ description: "error", content: { "application/json": { schema: { type: "object", properties: { code: { type: code } } } } } });
    const before = openapi();
    getOrder(before).responses["4XX"] = errorBody("integer");
    const retyped = clone(before);
    getOrder(retyped).responses["4XX"].content["application/json"].schema.properties.code.type = "string";
    const changes = await diffSpec("t", before, retyped);
    expect(changes, JSON.stringify(changes)).toEqual([expect.objectContaining({ kind: "breaking", operation: "getOrder", rule: "response-field-retyped", message: expect.stringMatching(/code type "integer" → "string"/) })]);
    const added = clone(before);
    getOrder(added).responses["5XX"] = errorBody("integer");
    expect(await diffSpec("t", before, added)).toEqual([expect.objectContaining({ kind: "non-breaking", rule: "response-status", message: "response 5XX added" })]);
    // the same range written in lower case is no change
    const lower = clone(before);
    lower.paths["/order"].get.responses = { "200": getOrder(before).responses["200"], "4xx": getOrder(before).responses["4XX"] };
    expect(await diffSpec("t", before, lower)).toEqual([]);
  });
});

function asyncapi(): Doc {
  return {
    asyncapi: "3.0.0",
    info: { title: "ws", version: "1" },
    servers: { gateway: { host: "127.0.0.1:9878", protocol: "ws", pathname: "/ws/v1" } },
    "x-envelope": { codeField: "result", success: [true], dataField: "data" },
    channels: {
      gateway: {
        address: "/ws/v1",
        servers: [{ $ref: "#/servers/gateway" }],
        messages: { placeOrderRequest: { $ref: "#/components/messages/placeOrderRequest" }, placeOrderReply: { $ref: "#/components/messages/placeOrderReply" }, stateNotification: { $ref: "#/components/messages/stateNotification" } },
      },
      backup: { address: "/ws/backup", messages: {} },
    },
    operations: {
      placeOrder: {
        action: "send",
        channel: { $ref: "#/channels/gateway" },
        "x-retryable": false,
        messages: [{ $ref: "#/channels/gateway/messages/placeOrderRequest" }],
        reply: { channel: { $ref: "#/channels/gateway" }, messages: [{ $ref: "#/channels/gateway/messages/placeOrderReply" }] },
      },
      receiveState: { action: "receive", channel: { $ref: "#/channels/gateway" }, messages: [{ $ref: "#/channels/gateway/messages/stateNotification" }] },
    },
    components: {
      messages: {
        placeOrderRequest: { name: "placeOrderRequest", "x-op": "place_order", "x-kind": "request", payload: { type: "object", required: ["symbol"], properties: { symbol: { type: "string" }, price: { type: "number" } } } },
        placeOrderReply: { name: "placeOrderReply", "x-op": "place_order", "x-kind": "reply", payload: { type: "object", properties: { order_no: { type: "string" } } } },
        stateNotification: { name: "stateNotification", "x-op": "state", "x-kind": "notification", payload: { type: "object", properties: { code: { $ref: "#/components/schemas/StateCode" } } } },
      },
      schemas: { StateCode: { type: "integer", enum: [1, 2, 6], "x-enum-varnames": ["STATE_CODE_PARAM_MISS", "STATE_CODE_CONNECT_SUCCESS", "STATE_CODE_READY"] } },
    },
  };
}

const ASYNC_CASES: Case[] = [
  { rule: "operation-removed", edit: (d) => delete d.operations.placeOrder, kind: "breaking", message: /operation removed/, operation: "placeOrder" },
  { rule: "operation-added", edit: (d) => (d.operations.ping = { action: "send", messages: [] }), kind: "non-breaking", message: /operation added/, operation: "ping" },
  { rule: "operation-removed", edit: (d) => delete d.components.messages.stateNotification, kind: "breaking", message: /message removed/, operation: "message stateNotification" },
  { rule: "param-added-required", edit: (d) => { const p = d.components.messages.placeOrderRequest.payload; p.properties.qty = { type: "number" }; p.required.push("qty"); }, kind: "breaking", message: /payload required request field qty added/ },
  { rule: "param-retyped", edit: (d) => (d.components.messages.placeOrderRequest.payload.properties.price.type = "string"), kind: "breaking", message: /payload request field price type "number" → "string"/ },
  { rule: "response-enum-changed", edit: (d) => d.components.schemas.StateCode.enum.push(9), kind: "breaking", message: /payload response code enum value 9 added/, operation: "message stateNotification" },
  { rule: "x-retryable", edit: (d) => (d.operations.placeOrder["x-retryable"] = true), kind: "non-breaking", message: /x-retryable false → true/ },
  // A server by its name and the field that changed (it was a cut-off JSON dump of the server).
  { rule: "servers", edit: (d) => (d.servers.gateway.host = "127.0.0.1:9999"), kind: "breaking", message: /^server gateway changed: host "127\.0\.0\.1:9878" → "127\.0\.0\.1:9999"$/ },
  { rule: "servers", edit: (d) => (d.servers.backup = { host: "10.0.0.2:9878", pathname: "/ws/v1", protocol: "ws" }), kind: "non-breaking", message: /^server backup added: "10\.0\.0\.2:9878\/ws\/v1"$/ },
  { rule: "servers", edit: (d) => { delete d.servers.gateway; delete d.channels.gateway.servers; }, kind: "breaking", message: /^server gateway removed: "127\.0\.0\.1:9878\/ws\/v1"$/ },
  { rule: "servers", edit: (d) => (d.servers.gateway.description = "Reworded."), kind: "docs", message: /server description changed/ },
  // A title or tags only document a server (docs, not breaking: --fail-on breaking failed CI).
  { rule: "servers", edit: (d) => (d.servers.gateway.title = "Self-hosted gateway"), kind: "docs", message: /^server title changed$/ },
  { rule: "servers", edit: (d) => (d.servers.gateway.tags = [{ name: "local" }]), kind: "docs", message: /^server tags changed$/ },
  { rule: "x-envelope", edit: (d) => (d["x-envelope"].dataField = "result"), kind: "breaking", message: /x-envelope\.dataField: "data" → "result"/ },
  { rule: "docs-only", edit: (d) => (d.info.title = "WS"), kind: "docs", message: /info changed/ },
  { rule: "response-field-removed", edit: (d) => delete d.components.messages.stateNotification.payload.properties.code, kind: "breaking", message: /payload response field code removed/, operation: "message stateNotification" },
  { rule: "response-enum-changed", edit: (d) => d.components.schemas.StateCode.enum.pop(), kind: "breaking", message: /payload response code enum value 6 removed/, operation: "message stateNotification" },
  { rule: "response-enum-changed", edit: (d) => (d.components.schemas.StateCode.enum[0] = 10), kind: "breaking", message: /payload response code enum value 1 removed$/, operation: "message stateNotification" },
  { rule: "response-enum-changed", edit: (d) => (d.components.schemas.StateCode.enum[0] = 10), kind: "breaking", message: /payload response code enum value 10 added$/, operation: "message stateNotification" },
  // State code names are exported constants (StateCode.READY): a renamed one is gone.
  { rule: "x-enum-varnames", edit: (d) => (d.components.schemas.StateCode["x-enum-varnames"][2] = "STATE_CODE_IS_READY"), kind: "breaking", message: /enum names \(x-enum-varnames\): "STATE_CODE_READY" removed \(a generated constant is gone\), "STATE_CODE_IS_READY" added$/, operation: "message stateNotification" },
  { rule: "x-enum-varnames", edit: (d) => d.components.schemas.StateCode["x-enum-varnames"].push("STATE_CODE_DB_SUCCESS"), kind: "non-breaking", message: /enum names \(x-enum-varnames\): "STATE_CODE_DB_SUCCESS" added$/, operation: "message stateNotification" },
  {
    rule: "x-enum-varnames",
    // A code inserted mid-list with its name: every later name keeps its value (by place they all shifted).
    edit: (d) => {
      d.components.schemas.StateCode.enum.splice(1, 0, 3);
      d.components.schemas.StateCode["x-enum-varnames"].splice(1, 0, "STATE_CODE_CONNECT_FAILED");
    },
    kind: "non-breaking",
    message: /enum names \(x-enum-varnames\): "STATE_CODE_CONNECT_FAILED" added$/,
    operation: "message stateNotification",
  },
  {
    rule: "x-enum-varnames",
    // Two names swapped over the same values: code using either now means the other code.
    edit: (d) => (d.components.schemas.StateCode["x-enum-varnames"] = ["STATE_CODE_CONNECT_SUCCESS", "STATE_CODE_PARAM_MISS", "STATE_CODE_READY"]),
    kind: "breaking",
    message: /enum names \(x-enum-varnames\): "STATE_CODE_PARAM_MISS", "STATE_CODE_CONNECT_SUCCESS" now name another value$/,
    operation: "message stateNotification",
  },
  // what an operation sends and receives, and where
  { rule: "asyncapi-messages", edit: (d) => (d.operations.placeOrder.messages = [{ $ref: "#/channels/gateway/messages/stateNotification" }]), kind: "breaking", message: /^messages \["placeOrderRequest"\] → \["stateNotification"\]$/, operation: "placeOrder" },
  { rule: "asyncapi-messages", edit: (d) => d.operations.placeOrder.messages.push({ $ref: "#/components/messages/stateNotification" }), kind: "non-breaking", message: /^messages \["placeOrderRequest"\] → \["placeOrderRequest","stateNotification"\]$/, operation: "placeOrder" },
  { rule: "asyncapi-messages", edit: (d) => d.operations.receiveState.messages.push({ $ref: "#/components/messages/placeOrderReply" }), kind: "breaking", message: /^messages \["stateNotification"\] → \["stateNotification","placeOrderReply"\]$/, operation: "receiveState" },
  { rule: "asyncapi-messages", edit: (d) => (d.operations.placeOrder.reply.messages = [{ $ref: "#/channels/gateway/messages/stateNotification" }]), kind: "breaking", message: /^reply messages \["placeOrderReply"\] → \["stateNotification"\]$/, operation: "placeOrder" },
  { rule: "asyncapi-messages", edit: (d) => delete d.operations.placeOrder.reply, kind: "breaking", message: /^reply removed$/, operation: "placeOrder" },
  { rule: "asyncapi-messages", edit: (d) => (d.operations.placeOrder.action = "receive"), kind: "breaking", message: /^action "send" → "receive"$/, operation: "placeOrder" },
  { rule: "asyncapi-channel", edit: (d) => (d.channels.gateway.address = "/ws/v2"), kind: "breaking", message: /^address "\/ws\/v1" → "\/ws\/v2"$/, operation: "channel gateway" },
  { rule: "asyncapi-channel", edit: (d) => (d.operations.placeOrder.channel = { $ref: "#/channels/backup" }), kind: "breaking", message: /^channel "gateway \(\/ws\/v1\)" → "backup \(\/ws\/backup\)"$/, operation: "placeOrder" },
  { rule: "asyncapi-channel", edit: (d) => (d.operations.placeOrder.reply.channel = { $ref: "#/channels/backup" }), kind: "breaking", message: /^reply channel "gateway \(\/ws\/v1\)" → "backup \(\/ws\/backup\)"$/, operation: "placeOrder" },
  { rule: "asyncapi-channel", edit: (d) => delete d.channels.gateway.messages.stateNotification, kind: "breaking", message: /^message stateNotification removed$/, operation: "channel gateway" },
  { rule: "asyncapi-channel", edit: (d) => (d.channels.gateway.messages.placeOrderReply = { $ref: "#/components/messages/stateNotification" }), kind: "breaking", message: /^message placeOrderReply now is stateNotification$/, operation: "channel gateway" },
  { rule: "asyncapi-channel", edit: (d) => (d.channels.backup.messages.placeOrderReply = { $ref: "#/components/messages/placeOrderReply" }), kind: "non-breaking", message: /^message placeOrderReply added$/, operation: "channel backup" },
  { rule: "asyncapi-channel", edit: (d) => delete d.channels.backup, kind: "breaking", message: /^channel removed$/, operation: "channel backup" },
  { rule: "docs-only", edit: (d) => (d.channels.gateway.description = "The one socket."), kind: "docs", message: /^description added$/, operation: "channel gateway" },
  // A message's wire names key the generated types and metadata (they were "extension-other", non-breaking).
  { rule: "asyncapi-message-names", edit: (d) => (d.components.messages.placeOrderRequest["x-op"] = "order"), kind: "breaking", message: /^x-op: "place_order" → "order" \(the op's name in the generated request and reply types and the metadata\)$/, operation: "message placeOrderRequest" },
  { rule: "asyncapi-message-names", edit: (d) => delete d.components.messages.placeOrderReply["x-op"], kind: "breaking", message: /^x-op: "place_order" → \(none\)/, operation: "message placeOrderReply" },
  { rule: "asyncapi-message-names", edit: (d) => (d.components.messages.stateNotification["x-kind"] = "reply"), kind: "breaking", message: /^x-kind: "notification" → "reply"/, operation: "message stateNotification" },
  { rule: "asyncapi-message-names", edit: (d) => (d.components.messages.stateNotification["x-topic"] = "state"), kind: "non-breaking", message: /^x-topic: \(none\) → "state"/, operation: "message stateNotification" },
];

describe("spec diff rules (AsyncAPI): operations, messages, payload fields, state codes", () => {
  for (const c of ASYNC_CASES) {
    it(`${c.rule}: ${c.message.source}`, async () => {
      const before = asyncapi();
      const after = clone(before);
      c.edit(after);
      const changes = await diffSpec("ws", before, after);
      const hit = changes.find((x) => c.message.test(x.message));
      expect(hit, JSON.stringify(changes, null, 1)).toBeDefined();
      expect(hit!.kind).toBe(c.kind);
      expect(hit!.rule).toBe(c.rule);
      if (c.operation) expect(hit!.operation).toBe(c.operation);
    });
  }
});

describe("spec diff (AsyncAPI): a new send operation with its new message", () => {
  it("the message is reported once (not again as added to the channel)", async () => {
    const before = asyncapi();
    const after = clone(before);
    after.components.messages.cancelRequest = { name: "cancelRequest", "x-op": "cancel", "x-kind": "request", payload: { type: "object", properties: { order_no: { type: "string" } } } };
    after.channels.gateway.messages.cancelRequest = { $ref: "#/components/messages/cancelRequest" };
    after.operations.cancel = { action: "send", channel: { $ref: "#/channels/gateway" }, messages: [{ $ref: "#/channels/gateway/messages/cancelRequest" }] };
    expect((await diffSpec("ws", before, after)).map((c) => `${c.kind} ${c.operation}: ${c.message}`)).toEqual(["non-breaking cancel: operation added", "non-breaking message cancelRequest: message added"]);
  });
  it("an existing message added to a channel is still reported at the channel", async () => {
    const before = asyncapi();
    const after = clone(before);
    after.channels.backup.messages.stateNotification = { $ref: "#/components/messages/stateNotification" };
    expect((await diffSpec("ws", before, after)).map((c) => `${c.kind} ${c.operation}: ${c.message}`)).toEqual(["non-breaking channel backup: message stateNotification added"]);
  });
});

describe("spec diff (AsyncAPI): a server's changes", () => {
  it("each field that changed is one line; its prose changed along is one docs line", async () => {
    const before = asyncapi();
    const after = clone(before);
    Object.assign(after.servers.gateway, { host: "127.0.0.1:9900", pathname: "/ws/v2", title: "Gateway" });
    expect((await diffSpec("ws", before, after)).map((c) => `${c.kind}: ${c.message}`)).toEqual([
      'breaking: server gateway changed: host "127.0.0.1:9878" → "127.0.0.1:9900"',
      'breaking: server gateway changed: pathname "/ws/v1" → "/ws/v2"',
      "docs: server gateway title changed",
    ]);
  });
});

describe("spec diff (AsyncAPI): references compared by what they point at", () => {
  it("a message reference rewritten to the same message is no change", async () => {
    const before = asyncapi();
    const after = clone(before);
    after.operations.placeOrder.messages = [{ $ref: "#/components/messages/placeOrderRequest" }];
    after.operations.placeOrder.reply.messages = [{ $ref: "#/components/messages/placeOrderReply" }];
    expect(await diffSpec("ws", before, after)).toEqual([]);
  });
  it("a channel's address changed is reported once, at the channel", async () => {
    const before = asyncapi();
    const after = clone(before);
    after.channels.gateway.address = "/ws/v2";
    after.operations.placeOrder.reply.messages.push({ $ref: "#/components/messages/stateNotification" });
    expect((await diffSpec("ws", before, after)).map((c) => `${c.kind} ${c.operation}: ${c.message}`)).toEqual([
      'breaking placeOrder: reply messages ["placeOrderReply"] → ["placeOrderReply","stateNotification"]',
      'breaking channel gateway: address "/ws/v1" → "/ws/v2"',
    ]);
  });
});

describe("spec diff: integers beyond 2^53 keep every digit (the YAML parser reads bigints)", () => {
  it("an int64 maximum changed in its last digit is a change, shown with all its digits", async () => {
    const before = openapi();
    getOrder(before).parameters[2].schema.maximum = 9223372036854775807n;
    const after = clone(before);
    getOrder(after).parameters[2].schema.maximum = 9223372036854775806n;
    expect((await diffSpec("t", before, after)).map((c) => c.message)).toEqual(["parameter limit maximum 9223372036854775807 → 9223372036854775806"]);
  });
  it("one added is shown with its digits, not rounded; small integers print as before", async () => {
    const before = openapi();
    const after = clone(before);
    orderSchema(after).properties.id = { type: "integer", format: "int64", maximum: 9223372036854775807n, minimum: 1n };
    expect((await diffSpec("t", before, after)).map((c) => c.message)).toEqual(expect.arrayContaining(["response field id maximum (none) → 9223372036854775807", "response field id minimum (none) → 1"]));
  });
  it("in an AsyncAPI payload too", async () => {
    const before = asyncapi();
    before.components.messages.placeOrderRequest.payload.properties.price.maximum = 18446744073709551615n;
    const after = clone(before);
    after.components.messages.placeOrderRequest.payload.properties.price.maximum = 18446744073709551614n;
    expect((await diffSpec("ws", before, after)).map((c) => c.message)).toEqual(["payload request field price maximum 18446744073709551615 → 18446744073709551614"]);
  });
});

describe("the summary npm run generate ends with", () => {
  it("counts per API, then every breaking change on its own line", async () => {
    const before = openapi();
    const after = clone(before);
    delete after.paths["/order"].post;
    after.paths["/order"].get.description = "changed";
    const text = formatSummary(await diffSpec("t", before, after), "HEAD");
    expect(text).toBe("spec diff vs HEAD:\n  t: 1 breaking, 0 non-breaking, 1 docs\n  BREAKING t placeOrder: operation removed\n  (details: npx tradeapi spec diff; rules: docs/spec-diff-rules.md)\n");
    expect(formatSummary([], "HEAD")).toBe("spec diff vs HEAD: no spec changes\n");
  });
});

describe("spec diff: an operation moved", () => {
  it("its other changes are listed with the move (a required parameter added at the new place)", async () => {
    const before = openapi();
    const after = clone(before);
    after.paths["/v2/order"] = after.paths["/order"];
    delete after.paths["/order"];
    getOrder({ paths: { "/order": after.paths["/v2/order"] } }).parameters.push({ name: "market", in: "query", required: true, schema: { type: "string" } });
    expect((await diffSpec("t", before, after)).map((c) => `${c.kind} ${c.rule} ${c.operation}: ${c.message}`)).toEqual([
      'breaking operation-moved getOrder: operation moved: GET /order → GET /v2/order (call("getOrder") sends it to the new place)',
      'breaking operation-moved placeOrder: operation moved: POST /order → POST /v2/order (call("placeOrder") sends it to the new place)',
      "breaking param-added-required getOrder: required parameter market added",
    ]);
  });
  it("to another method, with a field of its answer removed", async () => {
    const before = openapi();
    const after = clone(before);
    after.paths["/orders"].post = after.paths["/orders"].get;
    delete after.paths["/orders"].get;
    delete after.paths["/orders"].post.responses["200"].content["application/json"].schema.items;
    expect((await diffSpec("t", before, after)).map((c) => `${c.kind} ${c.operation}: ${c.message}`)).toEqual([
      'breaking listOrders: operation moved: GET /orders → POST /orders (call("listOrders") sends it to the new place)',
      expect.stringMatching(/^breaking listOrders: /),
    ]);
  });
});

describe("spec diff: a range widened or narrowed", () => {
  const bounded = (d: Doc) => {
    Object.assign(getOrder(d).parameters[2].schema, { minimum: 10, maximum: 1000 });
    Object.assign(orderSchema(d).properties.price, { minimum: 0, maximum: 1000 });
    orderSchema(d).properties.id.maxLength = 20;
  };
  const lines = async (edit: (d: Doc) => void) => {
    const before = openapi();
    bounded(before);
    const after = clone(before);
    edit(after);
    return (await diffSpec("t", before, after)).map((c) => `${c.kind}: ${c.message}`).sort();
  };
  it("a request's limits loosened (minimum 10 → 1, maximum 1000 → 5000): non-breaking; tightened: breaking", async () => {
    expect(await lines((d) => Object.assign(getOrder(d).parameters[2].schema, { minimum: 1, maximum: 5000 }))).toEqual(["non-breaking: parameter limit maximum 1000 → 5000", "non-breaking: parameter limit minimum 10 → 1"]);
    expect(await lines((d) => Object.assign(getOrder(d).parameters[2].schema, { minimum: 20, maximum: 500 }))).toEqual(["breaking: parameter limit maximum 1000 → 500", "breaking: parameter limit minimum 10 → 20"]);
  });
  it("an answer's limits loosened or removed: breaking (values a consumer never saw may come); tightened: non-breaking", async () => {
    // (Order is getOrder's answer and listOrders' rows)
    expect(await lines((d) => Object.assign(orderSchema(d).properties.price, { minimum: -1, maximum: 5000 }))).toEqual(["breaking: response field [].price maximum 1000 → 5000", "breaking: response field [].price minimum 0 → -1", "breaking: response field price maximum 1000 → 5000", "breaking: response field price minimum 0 → -1"]);
    expect(await lines((d) => delete orderSchema(d).properties.id.maxLength)).toEqual(["breaking: response field [].id maxLength 20 → (none)", "breaking: response field id maxLength 20 → (none)"]);
    expect(await lines((d) => (orderSchema(d).properties.id.maxLength = 10))).toEqual(["non-breaking: response field [].id maxLength 20 → 10", "non-breaking: response field id maxLength 20 → 10"]);
  });
  it("bounds beyond 2^53 compare by all their digits", async () => {
    const before = openapi();
    getOrder(before).parameters[2].schema.maximum = 9223372036854775806n;
    const after = clone(before);
    getOrder(after).parameters[2].schema.maximum = 9223372036854775807n;
    expect((await diffSpec("t", before, after)).map((c) => `${c.kind}: ${c.message}`)).toEqual(["non-breaking: parameter limit maximum 9223372036854775806 → 9223372036854775807"]);
  });
});

describe("spec diff: an enum is a set of values", () => {
  const described = (d: Doc) => Object.assign(getOrder(d).parameters[1].schema, { enum: ["buy", "sell", "close"], "x-enum-descriptions": ["Buy.", "Sell.", "Close."] });
  const lines = async (edit: (d: Doc) => void) => {
    const before = openapi();
    described(before);
    const after = clone(before);
    edit(after);
    return (await diffSpec("t", before, after)).map((c) => `${c.kind} ${c.rule}: ${c.message}`);
  };
  it("a value inserted and another dropped: one added, one removed; the descriptions that moved along are no change", async () => {
    expect(await lines((d) => Object.assign(getOrder(d).parameters[1].schema, { enum: ["buy", "short", "sell"], "x-enum-descriptions": ["Buy.", "Short.", "Sell."] }))).toEqual([
      'breaking enum-value-removed: side enum value "close" removed',
      'non-breaking enum-value-added: side enum value "short" added',
    ]);
  });
  it("values reordered with their descriptions: no change; a description reworded: one line naming its value", async () => {
    expect(await lines((d) => Object.assign(getOrder(d).parameters[1].schema, { enum: ["close", "buy", "sell"], "x-enum-descriptions": ["Close.", "Buy.", "Sell."] }))).toEqual([]);
    expect(await lines((d) => (getOrder(d).parameters[1].schema["x-enum-descriptions"][1] = "Sell (short)."))).toEqual(['docs docs-only: x-enum-descriptions changed (side, value "sell")']);
  });
  it("descriptions that do not line up with the enum: one line for the list", async () => {
    expect(await lines((d) => (getOrder(d).parameters[1].schema["x-enum-descriptions"] = ["B.", "S."]))).toEqual(["docs docs-only: x-enum-descriptions changed (side)"]);
  });
});

describe("every change names its subject", () => {
  it("a shared parameter (components.parameters, used by $ref) retyped is named at each operation", async () => {
    const before = openapi();
    before.components.parameters = { Page: { name: "page", in: "query", required: false, schema: { type: "integer" } } };
    getOrder(before).parameters.push({ $ref: "#/components/parameters/Page" });
    const after = clone(before);
    after.components.parameters.Page.schema.type = "string";
    const changes = await diffSpec("t", before, after);
    expect(changes.filter((c) => c.operation === "getOrder").map((c) => c.message)).toContainEqual(expect.stringMatching(/^parameter page type "integer" → "string"/));
  });

  it("a parameter and a body field of one name, each losing its enum: two lines, not one of their values together", async () => {
    const before = openapi();
    placeOrder(before).parameters = [{ name: "tif", in: "query", required: false, schema: { type: "string", enum: ["DAY", "GTD", "FOK"] } }];
    const after = clone(before);
    delete placeOrder(after).parameters[0].schema.enum;
    delete placeOrder(after).requestBody.content["application/x-www-form-urlencoded"].schema.properties.tif.enum;
    const lines = (await diffSpec("t", before, after)).filter((c) => c.operation === "placeOrder").map((c) => c.message);
    expect(lines.sort()).toEqual([
      'parameter tif enum of 3 values ("DAY", "GTD", "FOK") removed whole (any value is taken now)',
      'request field tif enum of 2 values ("GTC", "IOC") removed whole (any value is taken now)',
    ]);
  });

  it("members added to a request body's oneOf (api-smart-diff describes the second as \" in Request Body content\")", async () => {
    const before = openapi();
    const after = clone(before);
    const body = placeOrder(after).requestBody.content["application/x-www-form-urlencoded"].schema;
    body.oneOf = [{ properties: { tif: { const: "GTC" } } }, { properties: { tif: { const: "IOC" }, qty: { maxLength: 5 } } }];
    orderSchema(after).oneOf = [{ properties: { status: { const: "NEW" } } }, { properties: { status: { const: "FILLED" } } }];
    const changes = await diffSpec("t", before, after);
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) expect(c.message, JSON.stringify(c)).toMatch(/^[\w`$]/);
    expect(changes.map((c) => c.message)).toContainEqual("oneOf member 2 of [] added in Response 200 content (application/json)");
  });
});

describe("docs/spec-diff-rules.md and the fixtures", () => {
  it("every rule of the table has a fixture pair here (generic: api-smart-diff's own)", () => {
    const table = readFileSync("docs/spec-diff-rules.md", "utf8").split("\n").filter((l) => /^\| `/.test(l));
    const rules = table.flatMap((l) => [...l.split("|")[1]!.matchAll(/`([\w-]+)`/g)].map((m) => m[1]!));
    expect(rules.length).toBeGreaterThan(20);
    const tested = new Set([...CASES, ...ASYNC_CASES].map((c) => c.rule));
    expect(rules.filter((r) => r !== "generic" && !tested.has(r))).toEqual([]);
  });
});

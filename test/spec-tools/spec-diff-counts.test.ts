/**
 * One change, one line: a request field added as required is "required request field x added",
 * not that and "request field x is now required" (OpenAPI request bodies, component schemas,
 * AsyncAPI payloads). A field made required that was already there is still reported.
 */
import { describe, expect, it } from "vitest";
import { diffSpec } from "../../src/spec-tools/spec-diff.js";

type Doc = Record<string, any>;

const body = (schema: Doc) => ({ required: true, content: { "application/json": { schema } } });
function openapi(schema: Doc, components: Doc = {}): Doc {
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths: { "/order": { post: { operationId: "placeOrder", "x-retryable": false, requestBody: body(schema), responses: { "200": { description: "ok" } } } } },
    components: { schemas: components },
  };
}
function asyncapi(payload: Doc): Doc {
  return {
    asyncapi: "3.0.0",
    info: { title: "t", version: "1" },
    channels: { gw: { address: "/", messages: { place: { $ref: "#/components/messages/place" } } } },
    operations: { place: { action: "send", channel: { $ref: "#/channels/gw" }, messages: [{ $ref: "#/channels/gw/messages/place" }] } },
    components: { messages: { place: { "x-kind": "request", payload } } },
  };
}

const ORDER = { type: "object", required: ["symbol"], properties: { symbol: { type: "string" } } };
const WITH_CLIENT_ID = { type: "object", required: ["symbol", "clientId"], properties: { symbol: { type: "string" }, clientId: { type: "string" } } };
const messages = async (before: Doc, after: Doc) => (await diffSpec("t", before, after)).filter((c) => c.kind !== "docs").map((c) => `${c.kind} ${c.message}`);

describe("a new required request field is reported once", () => {
  it("OpenAPI request body", async () => {
    expect(await messages(openapi(ORDER), openapi(WITH_CLIENT_ID))).toEqual(["breaking required request field clientId added"]);
  });

  it("OpenAPI component schema used by the request", async () => {
    const ref = { $ref: "#/components/schemas/Order" };
    expect(await messages(openapi(ref, { Order: ORDER }), openapi(ref, { Order: WITH_CLIENT_ID }))).toEqual(["breaking required request field clientId added"]);
  });

  it("AsyncAPI request payload", async () => {
    expect(await messages(asyncapi(ORDER), asyncapi(WITH_CLIENT_ID))).toEqual(["breaking payload required request field clientId added"]);
  });

  it("a field that was there and is now required: still reported", async () => {
    const optional = { ...WITH_CLIENT_ID, required: ["symbol"] };
    expect(await messages(openapi(optional), openapi(WITH_CLIENT_ID))).toEqual(["breaking request field clientId is now required"]);
  });

  it("a new required field in an object without a required list before", async () => {
    const none = { type: "object", properties: { symbol: { type: "string" } } };
    const after = { type: "object", required: ["clientId"], properties: { symbol: { type: "string" }, clientId: { type: "string" } } };
    expect(await messages(openapi(none), openapi(after))).toEqual(["breaking required request field clientId added"]);
  });
});

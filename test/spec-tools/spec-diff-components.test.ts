/**
 * Changes under `components` that api-smart-diff does not repeat at the operations: schemas
 * reached only through `contentSchema` (Xele's base64 `params`, XT's base64 batch `data`) or an
 * `x-` extension (BHEX's `x-item-schema`), and components no operation uses.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diffSpec, type SpecChange } from "../../src/spec-tools/spec-diff.js";
import { parseSpecText } from "../../src/spec-tools/spec-model.js";

type Doc = Record<string, any>;
const clone = <T>(v: T): T => structuredClone(v);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function openapi(): Doc {
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    components: {
      schemas: {
        // Xele: the whole GET request is base64 JSON in `params`
        FundQueryRequest: { type: "object", required: ["token", "data"], properties: { token: { type: "string" }, data: ref("FundQueryData") } },
        FundQueryData: { type: "object", required: ["content"], properties: { content: { type: "string" }, limit: { type: "integer" } } },
        // XT: batch orders as base64 JSON in a form field
        BatchOrderItem: { type: "object", required: ["price"], properties: { price: { type: "number" }, side: ref("Side") } },
        Side: { type: "integer", enum: [0, 1] },
        // BHEX: batch rows named by x-item-schema
        BatchTransferItem: { type: "object", required: ["amount"], properties: { amount: { type: "string" }, lock: { type: "boolean" } } },
        Order: { type: "object", properties: { id: { type: "string" }, side: ref("Side") } },
      },
    },
    paths: {
      "/funds": {
        get: {
          operationId: "getInvestorFunds",
          "x-get-body": "base64-params",
          "x-request-schema": ref("FundQueryRequest"),
          parameters: [{ name: "params", in: "query", required: true, schema: { type: "string", contentEncoding: "base64", contentMediaType: "application/json", contentSchema: ref("FundQueryRequest") } }],
          responses: { "200": { description: "ok" } },
        },
      },
      "/batchOrder": {
        post: {
          operationId: "batchOrder",
          requestBody: { content: { "application/x-www-form-urlencoded": { schema: { type: "object", required: ["data"], properties: { data: { type: "string", contentEncoding: "base64", contentSchema: { type: "array", items: ref("BatchOrderItem") } } } } } } },
          responses: { "200": { description: "ok", content: { "application/json": { schema: ref("Order") } } } },
        },
      },
      "/batchTransfer": {
        post: {
          operationId: "financeBatchTransfer",
          requestBody: { content: { "application/x-www-form-urlencoded": { schema: { type: "object", properties: { items: { type: "string", "x-item-schema": ref("BatchTransferItem") } } } } } },
          responses: { "200": { description: "ok" } },
        },
      },
    },
  };
}

async function diff(edit: (d: Doc) => void, before = openapi()): Promise<SpecChange[]> {
  const after = clone(before);
  edit(after);
  return diffSpec("t", before, after);
}
const brief = (cs: SpecChange[]) => cs.map((c) => ({ kind: c.kind, operation: c.operation, message: c.message }));

describe("spec diff: components reached through contentSchema and x- extensions", () => {
  it("Xele params contentSchema: a required request field added is breaking, at the operation", async () => {
    const changes = await diff((d) => {
      d.components.schemas.FundQueryData.properties.extra = { type: "string" };
      d.components.schemas.FundQueryData.required.push("extra");
    });
    expect(brief(changes)).toEqual([
      // (one change, one line: not also "request field extra is now required")
      { kind: "breaking", operation: "getInvestorFunds", message: "required request field data.extra added (in FundQueryRequest)" },
    ]);
  });

  it("Xele params contentSchema: a request field retyped is breaking", async () => {
    const changes = await diff((d) => (d.components.schemas.FundQueryData.properties.content.type = "integer"));
    expect(brief(changes)).toEqual([{ kind: "breaking", operation: "getInvestorFunds", message: 'request field data.content type "string" → "integer" (in FundQueryRequest)' }]);
    expect(changes[0]!.rule).toBe("param-retyped");
  });

  it("XT batch data contentSchema: a row field retyped or removed is breaking", async () => {
    const changes = await diff((d) => {
      d.components.schemas.BatchOrderItem.properties.price.type = "string";
      d.components.schemas.Side.enum.pop();
    });
    const batch = changes.filter((c) => c.operation === "batchOrder");
    expect(brief(batch), JSON.stringify(changes, null, 1)).toEqual(
      expect.arrayContaining([
        { kind: "breaking", operation: "batchOrder", message: 'request field price type "number" → "string" (in BatchOrderItem)' },
        // the request side (through contentSchema) and the response side (Order, followed by api-smart-diff)
        { kind: "breaking", operation: "batchOrder", message: "side enum value 1 removed (in BatchOrderItem)" },
        { kind: "breaking", operation: "batchOrder", message: "response side enum value 1 removed" },
      ]),
    );
    // Side's change inside BatchOrderItem is reported once (by the outer schema), not again as Side's own
    expect(batch).toHaveLength(3);
  });

  it("BHEX x-item-schema: a required row field added is breaking; an optional one is not", async () => {
    const changes = await diff((d) => {
      const row = d.components.schemas.BatchTransferItem;
      row.properties.token_id = { type: "string" };
      row.properties.note = { type: "string" };
      row.required.push("token_id");
    });
    expect(brief(changes)).toEqual(
      expect.arrayContaining([
        { kind: "breaking", operation: "financeBatchTransfer", message: "required request field token_id added (in BatchTransferItem)" },
        { kind: "non-breaking", operation: "financeBatchTransfer", message: "optional request field note added (in BatchTransferItem)" },
      ]),
    );
    expect(changes.filter((c) => c.kind === "breaking").every((c) => c.operation === "financeBatchTransfer")).toBe(true);
  });

  it("an inline x-item-schema is a schema too: a field retyped inside it is breaking", async () => {
    const changes = await diff((d) => (d.paths["/batchTransfer"].post.requestBody.content["application/x-www-form-urlencoded"].schema.properties.items["x-item-schema"] = { type: "object", properties: { amount: { type: "number" } } }), (() => {
      const d = openapi();
      d.paths["/batchTransfer"].post.requestBody.content["application/x-www-form-urlencoded"].schema.properties.items["x-item-schema"] = { type: "object", properties: { amount: { type: "string" } } };
      return d;
    })());
    expect(brief(changes)).toEqual([{ kind: "breaking", operation: "financeBatchTransfer", message: 'request field items.amount type "string" → "number"' }]);
  });

  it("a change api-smart-diff shows at the operation is not repeated", async () => {
    const changes = await diff((d) => (d.components.schemas.Order.properties.id.type = "integer"));
    expect(brief(changes)).toEqual([{ kind: "breaking", operation: "batchOrder", message: 'response field id type "string" → "integer"' }]);
  });

  it("a component no operation uses: reported at the component", async () => {
    const before = openapi();
    before.components.schemas.Unused = { type: "object", properties: { a: { type: "string" } } };
    const changes = await diff((d) => delete d.components.schemas.Unused.properties.a, before);
    expect(brief(changes)).toEqual([{ kind: "breaking", operation: "schema Unused", message: "field a removed" }]);
    expect(brief(await diff((d) => delete d.components.schemas.Unused, before))).toEqual([{ kind: "breaking", operation: "schema Unused", message: "removed (no operation used it; its exported type is gone)" }]);
  });

  it("a whole schema added for an operation is not reported again at the component", async () => {
    const changes = await diff((d) => {
      d.components.schemas.FundQueryData2 = clone(d.components.schemas.FundQueryData);
      d.components.schemas.FundQueryData2.required.push("limit");
      d.components.schemas.FundQueryRequest.properties.data = ref("FundQueryData2");
      delete d.components.schemas.FundQueryData;
    });
    expect(brief(changes)).toEqual([{ kind: "breaking", operation: "getInvestorFunds", message: "request field data.limit is now required (in FundQueryRequest)" }]);
  });
});

describe("spec diff on the project's specs: changes reached only through contentSchema / x-item-schema", () => {
  const edit = (file: string, from: string, to: string) => {
    const text = readFileSync(file, "utf8");
    expect(text).toContain(from);
    return diffSpec("x", parseSpecText(text, file), parseSpecText(text.replace(from, to), file));
  };

  it("a field of an envelope that an operation's 200, 4XX and default answers share: one line per operation, not three", async () => {
    const changes = await edit("specs/openapi/xt-spot.yaml", "      required: [code, info]\n      properties:\n", "      required: [code, info]\n      properties:\n        traceId:\n          type: string\n");
    const getOrder = changes.filter((c) => c.operation === "getOrder");
    expect(getOrder).toEqual([expect.objectContaining({ kind: "non-breaking", message: "response field traceId added" })]);
  });

  it("an operation's rate limits are a set: a name removed is one line naming it (not the next one renamed by place)", async () => {
    const at = readFileSync("specs/openapi/xt-spot.yaml", "utf8").indexOf("operationId: getOrder\n");
    expect(at).toBeGreaterThan(0);
    const text = readFileSync("specs/openapi/xt-spot.yaml", "utf8");
    const cut = text.indexOf("x-rate-limit: [user, ip]", at);
    const after = `${text.slice(0, cut)}x-rate-limit: [ip, trade]${text.slice(cut + "x-rate-limit: [user, ip]".length)}`;
    const changes = await diffSpec("x", parseSpecText(text, "xt.yaml"), parseSpecText(after, "xt.yaml"));
    expect(changes.filter((c) => c.operation === "getOrder").map((c) => `${c.kind}: ${c.message}`)).toEqual(['non-breaking: rate limit x-rate-limit: "user" removed, "trade" added']);
  });

  it("a response field no longer required is named by its path, as a removed one is (data.fee, data[].fee)", async () => {
    const changes = await edit("specs/openapi/xt-spot.yaml", "completeNumber, completeMoney, entrustType, fee]", "completeNumber, completeMoney, entrustType]");
    const lines = changes.filter((c) => c.kind === "breaking").map((c) => `${c.operation}: ${c.message}`);
    expect(lines).toContain("getOrder: response field data.fee is no longer always present");
    expect(lines).toContain("getOpenOrders: response field data[].fee is no longer always present");
  });

  it("Xele FundQueryData: content string → integer is breaking at getInvestorFunds", async () => {
    const changes = await edit("specs/openapi/xele-mgmt.yaml", "      required: [ content, option_scale ]\n      properties:\n        content:\n          type: string", "      required: [ content, option_scale ]\n      properties:\n        content:\n          type: integer");
    expect(changes).toContainEqual(expect.objectContaining({ kind: "breaking", operation: "getInvestorFunds", message: expect.stringMatching(/content type "string" → "integer"/) }));
  });

  it("XT BatchOrderItem: a required field added is breaking at batchOrder", async () => {
    const changes = await edit("specs/openapi/xt-spot.yaml", "      required: [price, amount, type]\n      additionalProperties: false\n      properties:\n        price:", "      required: [price, amount, type, tif]\n      additionalProperties: false\n      properties:\n        tif:\n          type: string\n        price:");
    expect(changes).toContainEqual(expect.objectContaining({ kind: "breaking", operation: "batchOrder", message: "required request field tif added (in BatchOrderItem)" }));
  });

  it("XT Market (a shared parameter) renamed: one line per operation that uses it", async () => {
    const changes = await edit("specs/openapi/xt-spot.yaml", "    Market:\n      name: market\n", "    Market:\n      name: symbol\n");
    expect(changes.length).toBeGreaterThan(1);
    expect(new Set(changes.map((c) => c.operation)).size).toBe(changes.length);
    for (const c of changes) expect(c).toMatchObject({ kind: "breaking", rule: "param-renamed", message: "parameter market renamed to symbol" });
  });
});

/**
 * `counterVersion`: a request carries only what the counter's version knows. The vendor doc adds
 * fields, enum values and operations in later versions (x-since, x-since-by-value), and a counter
 * refuses a field it does not know (103); the emulator of an older version does the same.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meta } from "../../generated/xele-mgmt.meta.js";
import { ApiError, UsageError } from "../../src/handwritten/core/errors.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { newerParts, schemaForCounter, trimValue } from "../../src/handwritten/xele/counter-version.js";
import { dataSchemaOf } from "../../src/handwritten/xele/spec-info.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

const op = (id: string) => meta.operations.find((o) => o.operationId === id)!;
const fundsSchema = dataSchemaOf(op("getInvestorFunds"))!;
const riskSchema = dataSchemaOf(op("createRiskTemplate"))!;

describe("the spec's versions, read from the metadata", () => {
  it("a 003 counter's fund query has no order_commission or avaiable_limit column selector, required or filled", () => {
    const scale = fundsSchema.properties!.option_scale!;
    expect(scale.properties!.order_commission!.since).toBe("007");
    const old = schemaForCounter(fundsSchema, "003").properties!.option_scale!;
    expect(Object.keys(old.properties!)).not.toContain("order_commission");
    expect(Object.keys(old.properties!)).not.toContain("avaiable_limit");
    expect(old.required).not.toContain("order_commission");
    expect(old.required!.length).toBe(scale.required!.length - 2);
    // 007 and later: the schema itself (remembered, not rebuilt)
    expect(schemaForCounter(fundsSchema, "007")).toBe(fundsSchema);
    expect(schemaForCounter(fundsSchema, "003")).toBe(schemaForCounter(fundsSchema, "003"));
  });

  it("a 003 counter's risk items have no item of 007", () => {
    const items = schemaForCounter(riskSchema, "003").properties!.prc!.items!.properties!.prc_type!.enum!;
    const all = riskSchema.properties!.prc!.items!.properties!.prc_type!.enum!;
    expect(all).toContain("LargeOrderCancel");
    expect(items).not.toContain("LargeOrderCancel");
    expect(items).toContain("PriceCheckEnable");
    expect(all.length - items.length).toBe(10);
  });

  it("names the fields and values a version does not know, at any depth", () => {
    const data = { templ: "t", prc: [{ prc_type: "PriceCheckEnable" }, { prc_type: "PriceDeviation" }], option_scale: {} };
    expect(newerParts(data, riskSchema, "003", "data")).toEqual([{ path: "data.prc[1].prc_type", value: "PriceDeviation", since: "007" }]);
    expect(newerParts(data, riskSchema, "007", "data")).toEqual([]);
    expect(newerParts({ option_scale: { order_commission: false } }, fundsSchema, "003", "data")).toEqual([{ path: "data.option_scale.order_commission", since: "007" }]);
    // no version: nothing is newer
    expect(newerParts({ option_scale: { order_commission: false } }, fundsSchema, undefined, "data")).toEqual([]);
  });

  it("trims a value the client fills by the schema's versions, leaving the value itself alone", () => {
    const value = { order_commission: true, risk: true, nested: { x: 1 } };
    const trimmed = trimValue(value, fundsSchema.properties!.option_scale!, "003");
    expect(trimmed).toEqual({ risk: true, nested: { x: 1 } });
    expect(value.order_commission).toBe(true);
    expect(trimValue(value, fundsSchema.properties!.option_scale!, "007")).toBe(value);
  });
});

describe("the versions are read wherever a schema can put a field", () => {
  const newer = { type: "boolean", since: "007P8" } as const;
  const old = { type: "boolean" } as const;
  const schema = {
    type: "object",
    properties: {
      union: { anyOf: [{ type: "object", properties: { a: newer, b: old } }, { type: "string" }] },
      parts: { allOf: [{ type: "object", properties: { a: newer } }, { type: "object", properties: { b: old } }] },
      map: { type: "object", additionalProperties: { type: "object", properties: { a: newer, b: old } } },
      tuple: { type: "array", prefixItems: [{ type: "object", properties: { a: newer } }], items: old },
    },
  } as const;
  const value = { union: { a: true, b: true }, parts: { a: true, b: true }, map: { k: { a: true, b: true } }, tuple: [{ a: true }, true], ["__proto__"]: 1 };

  it("newerParts names them in anyOf/oneOf/allOf parts, additionalProperties and prefixItems", () => {
    expect(newerParts(value, schema, "007", "data").map((p) => p.path)).toEqual(["data.union.a", "data.parts.a", "data.map.k.a", "data.tuple[0].a"]);
  });

  it("trimValue and schemaForCounter leave them out there too", () => {
    const v = JSON.parse(JSON.stringify(value)) as typeof value;
    Object.defineProperty(v, "__proto__", { value: 1, enumerable: true, writable: true, configurable: true });
    const t = trimValue(v, schema, "007") as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(t))).toEqual({ union: { b: true }, parts: { b: true }, map: { k: { b: true } }, tuple: [{}, true], ["__proto__"]: 1 });
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
    const s = schemaForCounter(schema, "007");
    expect(JSON.stringify(s)).not.toContain("007P8");
    expect(schemaForCounter(schema, "007P8")).toBe(schema);
  });
});

describe("a client against the emulator of an older counter", () => {
  let old: XeleMock;
  beforeAll(async () => {
    old = await startXeleMock({ counterVersion: "003" });
  });
  afterAll(() => old.close());
  const client = (counterVersion?: string) =>
    createXeleClient({ maUrl: old.maUrl, msUrl: old.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, ...(counterVersion === undefined ? {} : { counterVersion }) });
  const lastFundQuery = () => old.received.filter((r) => r.operationId === "getInvestorFunds").at(-1)!.json as { data: { option_scale: Record<string, unknown> } };

  it("without counterVersion the client fills the newest fields, which the old counter refuses (103)", async () => {
    const e = await client().call("getInvestorFunds").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(103);
    expect((e as ApiError).message).toMatch(/order_commission came with counter 007/);
  });

  it("with counterVersion 003 the request leaves them out, and the answer has none of them", async () => {
    const funds = await client("003").call("getInvestorFunds");
    expect(funds!.length).toBeGreaterThan(0);
    expect(Object.keys(funds![0]!)).not.toContain("order_commission");
    const scale = lastFundQuery().data.option_scale;
    expect(scale).not.toHaveProperty("order_commission");
    expect(scale).not.toHaveProperty("avaiable_limit");
    expect(scale).toHaveProperty("risk", true);
  });

  it("a version is taken in any case and with spaces around it; a malformed one is a UsageError", async () => {
    await expect(client(" 003 ").call("getInvestorFunds")).resolves.toBeInstanceOf(Array);
    expect(lastFundQuery().data.option_scale).not.toHaveProperty("order_commission");
    expect(() => createXeleClient({ counterVersion: "007p7" })).not.toThrow();
    for (const bad of ["3", "v007", "", "007P", 7]) {
      expect(() => createXeleClient({ counterVersion: bad as string })).toThrow(UsageError);
    }
    expect(() => createXeleClient({ counterVersion: "3" })).toThrow(/counterVersion is a counter version as the vendor doc writes them \(003, 007.*got "3"/);
  });

  it("what the caller gives that came later is a UsageError naming it and its version, and nothing is sent", async () => {
    const c = client("003");
    await c.login();
    const before = old.received.length;
    const cases: Array<[string, unknown, RegExp]> = [
      ["getInvestorFunds", { option_scale: { order_commission: false } }, /not known to counter 003 \(this client's counterVersion\): data\.option_scale\.order_commission came with counter 007/],
      ["createAuthCode", { auth_code: "c", app_id: "a" }, /data\.app_id came with counter 007P8/],
      ["createRiskTemplate", { templ: "t", priority: 1, enable: 1, prc: [{ prc_type: "LargeOrderCancel", enable: 1, value: 0 }] }, /data\.prc\[0\]\.prc_type "LargeOrderCancel" came with counter 007/],
      ["getAlarmConfigs", undefined, /getAlarmConfigs came with counter 007P9; this client's counterVersion is 003/],
    ];
    for (const [id, data, message] of cases) {
      const e = await (c.call as (id: string, data?: unknown) => Promise<unknown>)(id, data).catch((x: unknown) => x);
      expect(e, id).toBeInstanceOf(UsageError);
      expect((e as Error).message, id).toMatch(message);
      expect((e as UsageError).operation, id).toBe(id);
    }
    expect(old.received.length).toBe(before);
  });

  it("the emulator refuses a value its version does not know with 116, as the counter does", async () => {
    const e = await client().call("createRiskTemplate", { templ: "t", priority: 1, enable: 1, prc: [{ prc_type: "LargeOrderCancel", enable: 1, value: 0 }] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(116);
    expect((e as Error).message).toMatch(/data\.prc\[0\]\.prc_type "LargeOrderCancel" came with counter 007/);
  });
});

describe("the newest counter", () => {
  let mock: XeleMock;
  beforeAll(async () => {
    mock = await startXeleMock();
  });
  afterAll(() => mock.close());

  it("counterVersion 007P9 sends what no counterVersion sends", async () => {
    const sent: unknown[] = [];
    for (const counterVersion of [undefined, "007P9"]) {
      const c = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, ...(counterVersion ? { counterVersion } : {}) });
      await c.call("getInvestorFunds");
      await c.call("getAuthCodes");
      sent.push(mock.received.slice(-2).map((r) => (r.json as { data?: unknown }).data));
    }
    expect(sent[1]).toEqual(sent[0]);
    expect(JSON.stringify(sent[0])).toContain("order_commission");
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { meta } from "../../generated/xele-mgmt.docs.js";
import { CredentialsError, UsageError } from "../../src/handwritten/core/errors.js";
import { parseJson } from "../../src/handwritten/core/json.js";
import type { OperationMeta } from "../../src/handwritten/core/meta.js";
import { XELE_REQUEST_SCHEMAS, XELE_ROW_SCHEMAS } from "../../src/handwritten/xele/client.js";
import { fillNoCondition } from "../../src/handwritten/xele/no-condition.js";
import { checkSchema } from "../../src/handwritten/xele/request-schema.js";
import { XeleSession, type XeleSessionOptions } from "../../src/handwritten/xele/session.js";
import { dataSchemaOf, requestSchemaOf, usesBase64Params, type JsonSchema } from "../../src/handwritten/xele/spec-info.js";
import { prepareData, requestJson, wireRequest } from "../../src/handwritten/xele/wire-request.js";

const op = (id: string): OperationMeta => meta.operations.find((o) => o.operationId === id)!;
const spec = parseYaml(readFileSync(new URL("../../specs/openapi/xele-mgmt.yaml", import.meta.url), "utf8")) as {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        "x-request-schema": { $ref: string };
        parameters?: Array<{ name: string; example?: string }>;
        responses: Record<string, { "x-pipe-rows"?: { rowSchema?: { $ref: string }; columns: Array<{ name: string; type: string }> } }>;
      }
    >
  >;
  components: { schemas: Record<string, { properties?: Record<string, { type?: string | string[] }> }> };
};
const specOps = Object.values(spec.paths).flatMap((item) => Object.values(item));
const refName = (ref: string | undefined) => ref?.split("/").pop();

describe("the client's type maps follow the spec", () => {
  it("names each operation's x-request-schema", () => {
    const fromSpec = Object.fromEntries(specOps.filter((o) => o.operationId !== "login").map((o) => [o.operationId, refName(o["x-request-schema"].$ref)]));
    expect(XELE_REQUEST_SCHEMAS).toEqual(fromSpec);
    expect(meta.operations).toHaveLength(specOps.length);
  });

  it("names each \"|\" row answer's rowSchema", () => {
    const fromSpec = Object.fromEntries(
      specOps.flatMap((o) => {
        const rows = o.responses["200"]?.["x-pipe-rows"];
        return rows && o.operationId !== "exportClientSystemInfo" ? [[o.operationId, refName(rows.rowSchema?.$ref)]] : [];
      }),
    );
    expect(XELE_ROW_SCHEMAS).toEqual(fromSpec);
  });

  it("types a row schema's number columns as nullable, its text columns not (an empty number cell decodes to null)", () => {
    const wrong: string[] = [];
    let numbers = 0;
    for (const o of specOps) {
      const rows = o.responses["200"]?.["x-pipe-rows"];
      const schema = rows?.rowSchema && spec.components.schemas[refName(rows.rowSchema.$ref)!];
      if (!rows || !schema) continue;
      for (const c of rows.columns) {
        const type = schema.properties?.[c.name]?.type;
        if (type === undefined) continue;
        const nullable = Array.isArray(type) && type.includes("null");
        if (c.type !== "string") numbers++;
        if (nullable !== (c.type !== "string")) wrong.push(`${o.operationId} ${c.name} (${c.type}): ${JSON.stringify(type)}`);
      }
    }
    expect(numbers).toBeGreaterThan(30);
    expect(wrong).toEqual([]);
  });
});

/** The spec's own GET examples: the JSON inside their base64 `params`. */
const getExamples = meta.operations
  .filter((o) => usesBase64Params(o))
  .map((o) => {
    const example = specOps.find((s) => s.operationId === o.operationId)?.parameters?.find((p) => p.name === "params")?.example;
    return { id: o.operationId, op: o, example };
  });

/** Drop every field whose value is its x-no-condition (what a caller may leave out). */
function strip(value: unknown, schema: JsonSchema | undefined): unknown {
  if (!schema?.properties || !value || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const s = schema.properties[k];
    if (s && "x-no-condition" in s && JSON.stringify(s["x-no-condition"]) === JSON.stringify(v)) continue;
    out[k] = strip(v, s);
  }
  return out;
}

describe("no-condition filling", () => {
  const withData = meta.operations.filter((o) => dataSchemaOf(o) && usesBase64Params(o));
  it.each(withData.map((o) => ({ id: o.operationId, o })))("$id: the caller's conditions alone rebuild a complete, valid request", ({ o }) => {
    const schema = dataSchemaOf(o)!;
    const full = fillNoCondition(schema, {});
    // Every filter got a value: the only problems left are real required inputs (trading_day).
    const missing = checkSchema(full, schema).filter((p) => p.kind === "missing").map((p) => p.path);
    expect(missing).toEqual(o.operationId === "exportClientSystemInfo" ? ["trading_day"] : []);
  });

  it("reproduces the spec's query examples from only their non-empty conditions", () => {
    const checked = getExamples.filter((e) => e.example && dataSchemaOf(e.op));
    expect(checked.length).toBe(13);
    for (const { op: o, example } of checked) {
      const schema = dataSchemaOf(o)!;
      const data = (parseJson(Buffer.from(example!, "base64").toString("utf8")) as { data: unknown }).data;
      expect(fillNoCondition(schema, strip(data, schema)), o.operationId).toEqual(data);
    }
  });

  it("completes partial ranges and keeps the caller's values", () => {
    const data = parseJson(prepareData(op("queryOrders"), { investor_id: ["777001"], order_price: { min: 400 }, exchange_order_id: { max: "99999999999999999999" } }) as string) as Record<string, unknown>;
    expect(data.investor_id).toEqual(["777001"]);
    expect(data.order_price).toEqual({ min: 400, max: null });
    expect(data.exchange_order_id).toEqual({ min: "", max: "99999999999999999999" });
    expect(data.max_result_count).toBe(0);
    expect(data.direction).toBe("");
    expect(Object.keys(data)).toEqual(Object.keys(dataSchemaOf(op("queryOrders"))!.properties!));
  });

  it("fills documented defaults of required fields (sync_flag), builds option_scale from its flags, sends optional fields only when given", () => {
    const tpl = parseJson(prepareData(op("deleteTradeTemplate"), { templ: "t" }) as string);
    expect(tpl).toEqual({ templ: "t", sync_flag: 1 });
    const funds = parseJson(prepareData(op("getInvestorFunds"), {}) as string) as { option_scale: Record<string, boolean> };
    expect(Object.values(funds.option_scale).every((v) => v === true)).toBe(true);
    expect(Object.keys(funds.option_scale)).toContain("avaiable_limit");
  });
});

describe("request checks before sending (UsageError naming every problem)", () => {
  const cases: Array<{ name: string; id: string; data: unknown; message: RegExp }> = [
    { name: "unknown field", id: "queryOrders", data: { investor: ["1"] }, message: /unknown field data\.investor/ },
    { name: "misspelled nested field", id: "queryOrders", data: { order_price: { minimum: 1 } }, message: /unknown field data\.order_price\.minimum/ },
    { name: "wrong type", id: "queryOrders", data: { investor_id: "777001" }, message: /data\.investor_id must be array, got string/ },
    { name: "value outside the enum", id: "queryOrders", data: { direction: "buy" }, message: /data\.direction must be one of "", "买", "卖"/ },
    { name: "missing required input", id: "createCashInOut", data: { investor_id: "777001" }, message: /missing field data\.direction; missing field data\.amount/ },
    { name: "pattern", id: "exportClientSystemInfo", data: { trading_day: "2022-04-12" }, message: /data\.trading_day must match/ },
    { name: "data for an operation without data", id: "getSystemInfo", data: { x: 1 }, message: /takes no data/ },
    { name: "array payload missing", id: "updateFrontControls", data: undefined, message: /missing data/ },
    { name: "not 0 priority", id: "createRiskTemplate", data: { templ: "r", priority: 0, enable: 1, prc: [] }, message: /data\.priority must not be 0/ },
  ];
  it.each(cases)("$name", ({ id, data, message }) => {
    expect(() => prepareData(op(id), data)).toThrow(UsageError);
    expect(() => prepareData(op(id), data)).toThrow(message);
  });

  it("checkSchema tells the problem kinds apart (the emulator maps them to 103/115/116)", () => {
    const schema = requestSchemaOf(op("auditCashInOut"));
    const kinds = (v: unknown) => checkSchema(v, schema).map((p) => `${p.kind}:${p.path}`);
    const good = { protocl_version: "1.0.1", token: "t", serialno: 0, operator: "", data: { unique_id: 1, status: 1 } };
    expect(kinds(good)).toEqual([]);
    expect(kinds({ ...good, extra: 1 })).toEqual(["unknown:extra"]);
    expect(kinds({ ...good, serialno: undefined })).toEqual(["missing:serialno"]);
    expect(kinds({ ...good, serialno: "0" })).toEqual(["type:serialno"]);
    expect(kinds({ ...good, serialno: 65536 })).toEqual(["value:serialno"]);
    expect(kinds({ ...good, protocl_version: "2.0" })).toEqual(["value:protocl_version"]);
    expect(kinds({ ...good, data: { unique_id: 1.5, status: 9 } })).toEqual(["type:data.unique_id", "value:data.status"]);
  });
});

describe("the request on the wire", () => {
  it("MS requests: protocl_version, token, serialno, operator, data — in that order", () => {
    const json = requestJson(op("queryOrders"), prepareData(op("queryOrders"), {}), { token: "tok", serialno: 7 });
    expect(Object.keys(JSON.parse(json))).toEqual(["protocl_version", "token", "serialno", "operator", "data"]);
    expect(JSON.parse(json)).toMatchObject({ protocl_version: "1.0.1", token: "tok", serialno: 7, operator: "" });
  });

  it("MA requests: client_version, token, data; operations without data send none", () => {
    const withData = JSON.parse(requestJson(op("deleteAuthCode"), prepareData(op("deleteAuthCode"), { unique_id: 3 }), { token: "tok", serialno: 1 }));
    expect(withData).toEqual({ client_version: "1.0.1", token: "tok", data: { unique_id: 3 } });
    const bare = JSON.parse(requestJson(op("getAuthCodes"), prepareData(op("getAuthCodes"), undefined), { token: "tok", serialno: 1 }));
    expect(bare).toEqual({ client_version: "1.0.1", token: "tok" });
    const msBare = JSON.parse(requestJson(op("getSystemInfo"), prepareData(op("getSystemInfo"), undefined), { token: "tok", serialno: 2, operator: "web-user" }));
    expect(msBare).toEqual({ protocl_version: "1.0.1", token: "tok", serialno: 2, operator: "web-user" });
  });

  it("every request the client can build passes the operation's closed x-request-schema", () => {
    for (const o of meta.operations.filter((x) => x.operationId !== "login")) {
      let data: unknown;
      try {
        data = prepareData(o, dataSchemaOf(o)?.type === "array" ? [] : {});
      } catch {
        continue; // needs caller input; covered by the client tests
      }
      const json = parseJson(requestJson(o, data as string, { token: "tok", serialno: 65535 }));
      expect(checkSchema(json, requestSchemaOf(o)), o.operationId).toEqual([]);
    }
  });

  it("GET carries the JSON as ?params=<base64>, other methods as the JSON body", () => {
    const json = requestJson(op("queryOrders"), prepareData(op("queryOrders"), { investor_id: ["张三"] }), { token: "tok", serialno: 0 });
    const get = wireRequest(op("queryOrders"), "http://ms", json);
    expect(get.method).toBe("GET");
    expect(get.json).toBeNull();
    expect(get.query).toHaveLength(1);
    expect(get.query[0]![0]).toBe("params");
    expect(Buffer.from(get.query[0]![1], "base64").toString("utf8")).toBe(json);
    const put = wireRequest(op("auditCashInOut"), "http://ms", '{"x":1}');
    expect(put).toMatchObject({ method: "PUT", path: "/api/trade/cashinout/audit", query: [], json: '{"x":1}' });
  });
});

describe("XeleSession", () => {
  it("serialno counts 0..65535 and wraps to 0", () => {
    const s = new XeleSession({ login: async () => "t", firstSerialNo: 65534 });
    expect([s.nextSerialNo(), s.nextSerialNo(), s.nextSerialNo(), s.nextSerialNo()]).toEqual([65534, 65535, 0, 1]);
    expect(() => new XeleSession({ login: async () => "t", firstSerialNo: 65536 })).toThrow(UsageError);
  });

  it("wrong options are a UsageError naming the option; a login that resolves to no token is one too", async () => {
    const bad: Array<[unknown, RegExp]> = [
      [undefined, /XeleSession takes its options/],
      [null, /must be an object/],
      ["login", /must be an object/],
      [{}, /login must be the function that logs in/],
      [{ login: "x" }, /login must be the function that logs in and resolves to the token, got string/],
      [{ login: async () => "t", firstSerialNo: -1 }, /firstSerialNo must be a whole number from 0 to 65535, got -1/],
      [{ login: async () => "t", firstSerialNo: 1.5 }, /firstSerialNo must be a whole number/],
      [{ login: async () => "t", log: "stdout" }, /log must be a function/],
      [{ login: async () => "t", pasword: "p" }, /"pasword" is not an option.*password/],
    ];
    for (const [options, message] of bad) {
      let thrown: unknown;
      try {
        new XeleSession(options as XeleSessionOptions);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, String(message)).toBeInstanceOf(UsageError);
      expect((thrown as Error).message).toMatch(message);
    }
    for (const answer of [undefined, "", 42, { token: "t" }]) {
      const s = new XeleSession({ username: "u", password: "p", login: async () => answer as string });
      const err = await s.token().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/the login function must resolve to the token \(a non-empty string\), got (undefined|an empty string|number|object)$/);
      expect(s.hasToken).toBe(false);
    }
  });

  it("concurrent callers share one login; a stale 109 never drops a newer token", async () => {
    let logins = 0;
    const s = new XeleSession({
      username: "u",
      password: "p",
      login: async () => {
        logins++;
        await new Promise((r) => setTimeout(r, 10));
        return `tok${logins}`;
      },
    });
    expect(await Promise.all([s.token(), s.token(), s.token()])).toEqual(["tok1", "tok1", "tok1"]);
    expect(s.invalidate("tok1")).toBe(true);
    const again = await Promise.all([s.token(), s.token()]);
    expect(again).toEqual(["tok2", "tok2"]);
    expect(s.invalidate("tok1")).toBe(false);
    expect(await s.token()).toBe("tok2");
    expect(logins).toBe(2);
  });

  it("a missing credential is a CredentialsError naming the option (never an env var), and every waiter sees it", async () => {
    const s = new XeleSession({ username: "u", login: async () => "t" });
    const results = await Promise.allSettled([s.token(), s.token()]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(CredentialsError);
      expect(String((r as PromiseRejectedResult).reason.message)).toBe("xele login: missing password: pass { password } to createXeleClient");
    }
  });
});

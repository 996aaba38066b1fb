/**
 * An operation the spec adds without a handwritten handler (a vendor's new list call) works in
 * every spec-driven emulator from its spec alone: a paged list (x-pagination) answers the
 * example's records the request selects, page by page, in the example's envelope, instead of
 * the fixed example whatever the request asks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseJson } from "../../src/handwritten/core/json.js";
import type { ApiDocMeta } from "../../src/handwritten/core/meta.js";
import { startHttpMock, type HttpMock } from "../../src/mock/http-mock.js";
import { docMetaOf } from "../helpers/spec-meta.js";

const SPEC = `openapi: 3.1.0
info: { title: New list calls (test fixture), version: "1" }
servers: [{ url: "https://demo.invalid" }]
x-envelope: { codeField: code, success: [200], messageField: info, dataField: data }
paths:
  /v1/myTrades:
    get:
      operationId: myTrades
      x-pagination: { style: page, pageParam: page, sizeParam: pageSize, defaultSize: 2 }
      parameters:
        - { name: market, in: query, required: true, schema: { type: string } }
        - { name: page, in: query, required: false, schema: { type: integer } }
        - { name: pageSize, in: query, required: false, schema: { type: integer } }
      responses:
        "200":
          description: trades
          content:
            application/json:
              schema: { type: object }
              example:
                code: 200
                info: success
                data:
                  - { id: 9007199254740993, market: btc_usdt, price: 1 }
                  - { id: 2, market: eth_usdt, price: 2 }
                  - { id: 3, market: btc_usdt, price: 3 }
                  - { id: 4, market: btc_usdt, price: 4 }
  /v1/deposits:
    get:
      operationId: deposits
      x-pagination: { style: page, pageParam: page, sizeParam: pageSize, defaultSize: 10, itemsField: record }
      parameters:
        - { name: coin, in: query, required: true, schema: { type: string } }
        - { name: page, in: query, required: false, schema: { type: integer } }
        - { name: pageSize, in: query, required: false, schema: { type: integer } }
      responses:
        "200":
          description: deposits
          content:
            application/json:
              schema: { type: object }
              example:
                code: 200
                info: success
                data:
                  total: 3
                  record:
                    - { id: 1, coin: btc }
                    - { id: 2, coin: eth }
                    - { id: 3, coin: btc }
  /v1/bare:
    get:
      operationId: bare
      x-envelope: false
      x-pagination: { style: from-id, fromParam: from_id, idField: id, limitParam: limit, defaultLimit: 100 }
      parameters:
        - { name: from_id, in: query, required: false, schema: { type: integer } }
        - { name: limit, in: query, required: false, schema: { type: integer } }
      responses:
        "200":
          description: records, newest first
          content:
            application/json:
              schema: { type: array }
              example: [{ id: 30 }, { id: 20 }, { id: 10 }]
  /v1/tickers:
    get:
      operationId: tickers
      parameters:
        - { name: market, in: query, required: false, schema: { type: string } }
      responses:
        "200":
          description: an unpaged list
          content:
            application/json:
              schema: { type: object }
              example:
                code: 200
                info: success
                data:
                  - { market: btc_usdt, price: 0.00010 }
                  - { market: eth_usdt, price: 2 }
  /v1/time:
    get:
      operationId: time
      responses:
        "200":
          description: not a list
          content:
            application/json:
              schema: { type: object }
              example: { code: 200, info: success, data: { now: 1 } }
`;

function metaOf(text: string): ApiDocMeta {
  const doc = parse(text, { intAsBigInt: true }) as Record<string, unknown>;
  return docMetaOf("newlists", "new-lists.yaml", doc);
}

const META = metaOf(SPEC);
let mock: HttpMock;
beforeAll(async () => {
  mock = await startHttpMock({ meta: META });
});
afterAll(() => mock?.close());

const get = async (path: string) => parseJson(await (await fetch(`${mock.url}${path}`)).text()) as Record<string, unknown>;

describe("a list operation without a handler answers from its example as the request asks", () => {
  it("filters by the parameters that name record fields and pages (int64 kept)", async () => {
    expect(await get("/v1/myTrades?market=btc_usdt")).toEqual({
      code: 200,
      info: "success",
      data: [
        { id: 9007199254740993n, market: "btc_usdt", price: 1 },
        { id: 3, market: "btc_usdt", price: 3 },
      ],
    });
    expect((await get("/v1/myTrades?market=btc_usdt&page=2")).data).toEqual([{ id: 4, market: "btc_usdt", price: 4 }]);
    expect((await get("/v1/myTrades?market=ltc_usdt")).data).toEqual([]);
  });

  it("records under the answer's itemsField, with its total set", async () => {
    expect((await get("/v1/deposits?coin=btc")).data).toEqual({ total: 2, record: [{ id: 1, coin: "btc" }, { id: 3, coin: "btc" }] });
  });

  it("a bare array (x-envelope: false) pages by cursor", async () => {
    expect(await get("/v1/bare?from_id=30&limit=1")).toEqual([{ id: 20 }]);
  });

  it("an unpaged list filters too; asked for nothing, it answers the example's own text (as written)", async () => {
    expect((await get("/v1/tickers?market=eth_usdt")).data).toEqual([{ market: "eth_usdt", price: 2 }]);
    const tickers = META.operations.find((o) => o.operationId === "tickers")!;
    expect(await (await fetch(`${mock.url}/v1/tickers`)).text()).toBe(tickers.responses["200"]!.example);
  });

  it("an operation that is not a list still answers its example", async () => {
    expect(await get("/v1/time?x=1")).toEqual({ code: 200, info: "success", data: { now: 1 } });
  });
});

/**
 * An emulator handler reads only what its operation's spec declares: a parameter renamed in a
 * spec, with the handler left reading the old name, read as undefined and the emulator answered,
 * silently wrong. Now such a read is a 500 naming the parameter and the operation (the test
 * suite, which runs every handler, fails on it). A name the request gives is read as it is.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bindHandlers } from "../../src/mock/bind-handlers.js";
import { startHttpMock, type HttpMock, type MockRequest } from "../../src/mock/http-mock.js";
import { meta as xeleMeta } from "../../generated/xele-mgmt.meta.js";
import { xeleHandlers } from "../../src/mock/xele/handlers.js";
import { XeleState } from "../../src/mock/xele/state.js";
import { docMetaOf } from "../helpers/spec-meta.js";

// The spec renamed `market` to `symbol`; the handler still reads `market`.
const SPEC = `openapi: 3.1.0
info: { title: A renamed parameter (test fixture), version: "1" }
servers: [{ url: "https://demo.invalid" }]
paths:
  /v1/ticker:
    get:
      operationId: getTicker
      parameters:
        - { name: symbol, in: query, required: true, schema: { type: string } }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { type: object }
              example: { price: "1" }
`;

const META = docMetaOf("renamed", "renamed.yaml", parse(SPEC));
let mock: HttpMock;
beforeAll(async () => {
  mock = await startHttpMock({
    meta: META,
    handlers: { getTicker: (req) => ({ body: { market: req.params.market ?? "(none)", extra: req.params.extra ?? "(none)" } }) },
  });
});
afterAll(() => mock?.close());

describe("emulator handlers read what the spec declares", () => {
  it("a handler reading a parameter the spec does not declare: 500 naming it and the operation", async () => {
    const r = await fetch(`${mock.url}/v1/ticker?symbol=btc`);
    expect(r.status).toBe(500);
    expect(await r.text()).toContain('the emulator reads parameter \\"market\\" of getTicker, which its spec does not declare');
  });

  it("a handler table whose errors answer as the vendor's internal error (BHEX's 110) still answers 500 naming the name", async () => {
    const handlers = bindHandlers<null>({ getTicker: (_st, req) => ({ body: { market: req.params.market } }) }, null, () => ({ status: 500, body: { code: 110, msg: "Internal server error" } }));
    const bhexLike = await startHttpMock({ meta: META, handlers });
    try {
      const r = await fetch(`${bhexLike.url}/v1/ticker?symbol=btc`);
      expect(r.status).toBe(500);
      expect(await r.text()).toContain('the emulator reads parameter \\"market\\" of getTicker');
    } finally {
      await bhexLike.close();
    }
  });

  it("a name the request gives is read as it is", async () => {
    const r = await fetch(`${mock.url}/v1/ticker?symbol=btc&market=eth&extra=1`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ market: "eth", extra: "1" });
  });

  it("the Xele emulator's handlers read a request's data fields the same way", () => {
    const st = new XeleState({ counterVersion: "007P9", orderQryHeader: "auto", pipeRowsIn: "result", orders: 3, tokenTtlMs: 60_000, latencyMs: 0 }, "u", "p");
    const op = xeleMeta.operations.find((o) => o.operationId === "createAlarmConfig")!;
    const req = { op } as MockRequest;
    st.setRequest(req, { data: { templ: "a1", trade: [] } });
    const data = st.dataOf(req);
    expect(data.templ).toBe("a1");
    // Alarm configs have no sync_flag (template writes do): reading one is the emulator's error.
    expect(() => data.sync_flag).toThrow('the emulator reads field "sync_flag" of createAlarmConfig, which its spec does not declare');
    // The handler for it reads none: it answers.
    expect(xeleHandlers(st).createAlarmConfig!(req).body).toMatchObject({ code: 0 });
  });
});

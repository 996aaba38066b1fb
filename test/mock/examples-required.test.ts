/**
 * The emulator answers what the spec says, or says that it cannot: started with metadata that
 * carries no examples at all (the runtime metadata, generated/<name>.meta.ts, which
 * docs/adding-an-api.md's step 4 imports), it refused nothing and answered `{}` with status
 * 200 to every request; now it is a UsageError naming the docs metadata to pass. An operation
 * the spec gives no example (and the emulator no handler) is a 500 saying so, not a `{}` a
 * client takes for an answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { meta as xtRuntimeMeta } from "../../generated/xt-spot.meta.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { startHttpMock, type HttpMock } from "../../src/mock/http-mock.js";
import { docMetaOf } from "../helpers/spec-meta.js";

const SPEC = `openapi: 3.1.0
info: { title: Examples (test fixture), version: "1" }
servers: [{ url: "https://demo.invalid" }]
paths:
  /v1/time:
    get:
      operationId: getTime
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { type: object }
              example: { now: 1700000000000 }
  /v1/thing:
    get:
      operationId: getThing
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { type: object }
`;
const meta = docMetaOf("examples", "examples.yaml", parse(SPEC));

describe("startHttpMock refuses metadata without examples", () => {
  it("the runtime metadata (generated/<name>.meta.js): a UsageError naming the docs metadata, nothing listening", async () => {
    const started = startHttpMock({ meta: xtRuntimeMeta });
    await expect(started).rejects.toBeInstanceOf(UsageError);
    await expect(started).rejects.toThrow(
      "xt: startHttpMock: the metadata of specs/openapi/xt-spot.yaml carries no examples, so no operation would have an answer: it is the runtime metadata (generated/<name>.meta.js), which leaves them out. Pass the docs metadata instead: import { meta } from generated/<name>.docs.js",
    );
  });

  it("the same operations with their examples (the docs metadata) start", async () => {
    const { meta: docs } = await import("../../generated/xt-spot.docs.js");
    const mock = await startHttpMock({ meta: docs });
    await mock.close();
  });
});

describe("an operation the spec gives no example", () => {
  let mock: HttpMock;
  beforeAll(async () => {
    mock = await startHttpMock({ meta, handlers: { other: () => ({ body: {} }) } });
  });
  afterAll(() => mock?.close());

  it("answers a 500 saying the spec has no example for it (and what to do), never 200 {}", async () => {
    const r = await fetch(`${mock.url}/v1/thing`);
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({
      code: 500,
      msg: "emulator error: the spec has no 200 example for getThing (GET /v1/thing): add one to its 200 response, or give the emulator a handler for it",
    });
  });

  it("an operation with one answers it", async () => {
    const r = await fetch(`${mock.url}/v1/time`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ now: 1700000000000 });
  });
});

/**
 * An operation whose operationId is the name of one of Object's own properties ("constructor",
 * "toString", "__proto__"-like names) is served from its example like any other: the emulator
 * looked its handler up on a plain object and answered 500 ("… is not a function") to every request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startHttpMock, type HttpMock } from "../../src/mock/http-mock.js";
import { docMetaOf } from "../helpers/spec-meta.js";

const NAMES = ["constructor", "toString", "hasOwnProperty", "valueOf"];
const SPEC = `openapi: 3.1.0
info: { title: Object-named operations (test fixture), version: "1" }
servers: [{ url: "https://demo.invalid" }]
paths:
${NAMES.map((n) => `  /v1/${n}:
    get:
      operationId: ${n}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { type: object }
              example: { name: ${n} }
`).join("")}`;

let mock: HttpMock;
beforeAll(async () => {
  const meta = docMetaOf("objnames", "objnames.yaml", parse(SPEC));
  mock = await startHttpMock({ meta, handlers: { other: () => ({ body: {} }) } });
});
afterAll(() => mock?.close());

describe("operations named like Object's properties", () => {
  it.each(NAMES)("%s answers its example (200), not a 500", async (name) => {
    const r = await fetch(`${mock.url}/v1/${name}`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ name });
  });
});

/**
 * The Xele emulator's request check, before any handler: the JSON request (base64 `params`
 * for GET, else the body), the counter version (x-since), the closed schema and the token.
 */
import { DecimalPrecisionError, nestedDeeperThan, parseJson } from "../../handwritten/core/json.js";
import { describeNewer, newerParts, schemaForCounter } from "../../handwritten/xele/counter-version.js";
import { compareCounterVersions } from "../../handwritten/xele/pipe-rows.js";
import { checkSchema } from "../../handwritten/xele/request-schema.js";
import { requestSchemaOf, type XeleServer } from "../../handwritten/xele/spec-info.js";
import { MOCK_MAX_JSON_DEPTH, type MockReply, type MockRequest } from "../http-mock.js";
import { fail, type Json } from "./replies.js";
import type { ReceivedRequest } from "../xele.js";
import { MAX_XELE_REQUEST_CHARS, MAX_XELE_WRITE_CHARS, type XeleState } from "./state.js";

/** The JSON text of a request: base64 `?params=` for GET (when sent), else the body; a reply if `params` is not base64. */
function requestText(req: MockRequest): { text: string; params?: string } | MockReply {
  const params = req.method === "GET" ? req.query.find(([k]) => k === "params")?.[1] : undefined;
  if (params === undefined) return { text: req.rawBody };
  if (params.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(params)) return fail(104, "params is not base64");
  return { text: Buffer.from(params, "base64").toString("utf8"), params };
}

/** 101 / 103 / 115 / 116 / 105 for a request this counter or the schema refuses. */
function schemaFailure(st: XeleState, req: MockRequest, request: Json): MockReply | undefined {
  const op = req.op;
  const since = op.since;
  if (typeof since === "string" && compareCounterVersions(st.settings.counterVersion, since) < 0) {
    return fail(101, `${op.path} needs counter ${since}; this counter is ${st.settings.counterVersion}`);
  }
  // A field or value this counter does not know yet is unknown to it (103 / 116), and one it
  // does not know is not required of the request either.
  const version = st.settings.counterVersion;
  const newer = newerParts(request, requestSchemaOf(op), version, "");
  if (newer[0]) return fail(newer[0].value === undefined ? 103 : 116, describeNewer(newer[0]));
  const problems = checkSchema(request, schemaForCounter(requestSchemaOf(op), version));
  const first = (kind: string) => problems.find((p) => p.kind === kind);
  const unknown = first("unknown");
  if (unknown) return fail(103, unknown.path);
  const structural = first("missing") ?? first("type");
  if (structural) return fail(115, structural.message);
  const value = first("value");
  if (value) return fail(/^(protocl_version|client_version)$/.test(value.path) ? 105 : 116, value.message);
  return undefined;
}

/** Read the JSON request and check it strictly; the checked request is kept for the handler. */
export function xeleAuthenticate(st: XeleState, server: XeleServer) {
  return async (req: MockRequest): Promise<MockReply | undefined> => {
    st.stats.requests[server]++;
    // (cut short by close(): nothing more is done; the answer goes nowhere)
    if (st.settings.latencyMs > 0 && !(await st.wait(st.settings.latencyMs))) return fail(100, "the emulator is closed");
    const source = requestText(req);
    if (!("text" in source)) return source;
    const { text, params } = source;
    const where = params !== undefined ? "params" : "the body";
    if (text.trim() === "") return fail(104, `${where} is empty: the request is a JSON object`);
    // Bounded before it is read (no credential is checked yet): its length, then its nesting.
    if (text.length > MAX_XELE_REQUEST_CHARS) return fail(116, `request longer than ${MAX_XELE_REQUEST_CHARS} characters`);
    if (nestedDeeperThan(text, MOCK_MAX_JSON_DEPTH)) return fail(104, `${where} is JSON nested deeper than ${MOCK_MAX_JSON_DEPTH} levels`);
    let json: unknown;
    try {
      json = parseJson(text);
    } catch (e) {
      // Valid JSON with a number no double holds: a value the counter refuses, not unreadable text.
      if (e instanceof DecimalPrecisionError) return fail(116, `${e.path} = ${e.literal.length > 60 ? `${e.literal.slice(0, 60)}…` : e.literal} does not fit a double`);
      return fail(104, `${where} is not JSON: the request is a JSON object`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) return fail(104, `${where} is a JSON ${json === null ? "null" : Array.isArray(json) ? "array" : typeof json}: the request is a JSON object`);
    const request = json as Json;
    // The text is kept, not the parsed value (a 1 MiB `[{},{},...]` parses to ~20 MiB): `json`
    // parses it again on each read.
    st.record(
      Object.defineProperty({ server, operationId: req.op.operationId, method: req.method, viaParams: params !== undefined, ...(params !== undefined ? { params } : {}) }, "json", {
        enumerable: true,
        get: () => parseJson(text) as Json,
      }) as ReceivedRequest,
      text.length + (params?.length ?? 0),
    );
    // What a write keeps is short (see MAX_XELE_WRITE_CHARS); a query keeps nothing.
    if (req.method !== "GET" && text.length > MAX_XELE_WRITE_CHARS) return fail(116, `request longer than ${MAX_XELE_WRITE_CHARS} characters`);
    const refused = schemaFailure(st, req, request);
    if (refused) return refused;
    if (req.op.security.length > 0) {
      const token = request.token;
      const expires = typeof token === "string" ? st.tokens.get(token) : undefined;
      if (expires === undefined || expires <= Date.now()) {
        if (typeof token === "string") st.tokens.delete(token);
        return fail(109);
      }
    }
    st.setRequest(req, request);
    return undefined;
  };
}

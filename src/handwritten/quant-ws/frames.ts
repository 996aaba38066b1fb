/**
 * Decoding of the frames the gateway sends, checked against what the spec requires of each
 * kind (the generated `quantWsMeta` says which ops are replies and which reply carries which
 * payload member). Anything unusable becomes a QuantWsFrameError naming the problem, which the
 * client reports as an `error` event instead of throwing out of the socket handler.
 */
import {
  quantWsMeta,
  type QuantWsErrorFrame,
  type QuantWsNotifications,
  type QuantWsReplies,
  type QuantWsStateNotification,
} from "../../../generated/quant-ws.js";
import { quoted, typeName, UsageError } from "../core/errors.js";
import { DecimalPrecisionError, MAX_JSON_DEPTH, nestedTooDeep, NumberTooLongError, parseJson, topLevelStrings, type DecimalsMode } from "../core/json.js";
import type { SchemaMeta } from "../core/meta.js";
import { answerTypeProblem, dataMisfit, integersAsWritten } from "../core/validate.js";
import { QuantWsFrameError } from "./errors.js";
import { OPERATIONS } from "./operations.js";
import { repeatedMember } from "./repeated-member.js";

/**
 * What a frame held unread costs: its characters plus VALUE_COST for each JSON value in it (an
 * object, array or member of the parsed frame costs the heap far more than its text: a frame
 * of `[{},{},…]` took 22 times its length). Counted over the text, an upper bound (a "," or ":"
 * inside a string counts too). The bounds of held and buffered notifications are in this unit.
 */
export const VALUE_COST = 32;
export function frameCost(text: string): number {
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 58 || c === 91 || c === 123) values++;
  }
  return text.length + VALUE_COST * values;
}

export type RequestOp = keyof QuantWsReplies;
export type Topic = keyof QuantWsNotifications;

export type IncomingFrame =
  | { kind: "reply"; op: RequestOp; cid: string; frame: QuantWsReplies[RequestOp] }
  | { kind: "pong"; ts: number | bigint }
  | { kind: "notify"; topic: Topic; token: string; frame: QuantWsNotifications[Topic] }
  | { kind: "state"; token: string; frame: QuantWsStateNotification }
  | { kind: "server-error"; frame: QuantWsErrorFrame };

/** Wire reply op → request op (they are equal except ping → pong). */
const REQUEST_OF_REPLY = new Map<string, RequestOp>();
for (const [op, m] of Object.entries(OPERATIONS)) if (m.replyOp && m.replyOp !== "pong") REQUEST_OF_REPLY.set(m.replyOp, op as RequestOp);
const TOPICS = new Set<string>(quantWsMeta.notificationTopics);
const NOTIFICATION_SCHEMAS: Readonly<Record<string, SchemaMeta>> = quantWsMeta.notificationSchemas;
/** The spec's state codes (StateCode's enum), as a state frame's `code` must be one. */
const STATE_CODES: readonly number[] = Object.keys(quantWsMeta.stateCodes).map(Number);

/**
 * Data that does not fit the spec's schema (a field missing or of another type, deep in a
 * list too): the frame is refused as a whole, so that a typed caller (and the helpers, which
 * read order numbers and statuses) never meets a null where the types promise an order.
 */
function checkData(text: string, what: string, field: string, value: unknown, schema: SchemaMeta | null | undefined, decimals: DecimalsMode, ctx: { operation?: string; cid?: string } = {}): void {
  let wrong;
  try {
    wrong = schema ? dataMisfit(value, schema, field, { decimals }) : undefined;
  } catch (e) {
    // An integer beyond 2^53 in a decimal field that no double holds (decimals: "exact").
    if (e instanceof DecimalPrecisionError) throw new QuantWsFrameError("inexact-number", e.message, text, e.path, ctx);
    throw e;
  }
  if (!wrong) return;
  const { first, shown } = wrong;
  throw new QuantWsFrameError(first.kind === "missing" ? "missing-field" : "wrong-type", `${what} does not fit the spec: ${shown}`, text, first.path, ctx);
}

function missing(text: string, what: string, field: string): QuantWsFrameError {
  return new QuantWsFrameError("missing-field", `${what} without a valid \`${field}\``, text, field);
}

const nullMeansEmpty = (types: string | ReadonlyArray<string>): boolean => [types].flat().some((t) => t === "array" || t === "object" || t === "null");

/** The token of a `state` frame decodeFrame could not read, by its error: kept off the error, as a token is a secret. */
const UNREADABLE_STATE_TOKEN = new WeakMap<QuantWsFrameError, string>();

/** The token a `state` frame named when decodeFrame refused it (undefined for any other error). */
export function unreadableStateToken(error: unknown): string | undefined {
  return error instanceof QuantWsFrameError ? UNREADABLE_STATE_TOKEN.get(error) : undefined;
}

/** What a login reply decodeFrame refused names, by its error (kept off the error: a token is a secret). */
export interface UnreadableLoginReply {
  /** The tokens it gives (two when it gives its token twice): secrets, whatever else it says. */
  tokens: string[];
  /** The token of the login the gateway holds: the one token, when the reply's `result` reads true. */
  loggedIn: string | undefined;
}
const UNREADABLE_LOGIN_REPLY = new WeakMap<QuantWsFrameError, UnreadableLoginReply>();

/** The tokens a login reply named when decodeFrame refused it (undefined for any other error, or one without a token). */
export function unreadableLoginReply(error: unknown): UnreadableLoginReply | undefined {
  return error instanceof QuantWsFrameError ? UNREADABLE_LOGIN_REPLY.get(error) : undefined;
}

/**
 * `error`, for the frame `f` (read as JSON.parse reads it: a member given twice is the last),
 * with what its token says when it is a `state` frame or a login reply. `tokens`: every token a
 * login reply gives, when it gives its token twice (no login is then known to be held under
 * either); a state frame's token given twice is none.
 */
function refused(f: Record<string, unknown>, error: QuantWsFrameError, tokens?: string[]): QuantWsFrameError {
  if (f.op === "state" && typeof f.token === "string" && tokens === undefined) UNREADABLE_STATE_TOKEN.set(error, f.token);
  else if (f.op === "login") {
    const given = tokens ?? (typeof f.token === "string" ? [f.token] : []);
    const named = given.filter((t) => t !== "");
    if (named.length > 0) UNREADABLE_LOGIN_REPLY.set(error, { tokens: named, loggedIn: tokens === undefined && f.result === true ? named[0] : undefined });
  }
  return error;
}

/** Parse and classify one text frame; throws QuantWsFrameError. */
export function decodeFrame(text: string, decimals: DecimalsMode = "exact"): IncomingFrame {
  if (typeof text !== "string") throw new UsageError(`decodeFrame takes a frame's text, got ${typeName(text)}`, { api: "quant-ws" });
  let value: unknown;
  if (nestedTooDeep(text)) {
    // Its cid, when the top level gives one, fails that request now rather than at its timeout
    // (a text with a member it cannot read, a bad escape, names none: the timeout names the frame).
    let cids: string[] = [];
    try {
      cids = [...new Set(topLevelStrings(text, "cid"))];
    } catch {
      /* unread: no cid */
    }
    throw new QuantWsFrameError("not-json", `frame is JSON nested deeper than ${MAX_JSON_DEPTH} levels: not read`, text, undefined, cids.length === 1 ? { cid: cids[0]! } : { cids });
  }
  try {
    value = parseJson(text, { decimals });
  } catch (e) {
    if (e instanceof DecimalPrecisionError || e instanceof NumberTooLongError) {
      // Refused, not rounded (or not converted); the reply's request (when its cid is
      // readable) fails with it. JSON.parse reads the cid: a string loses nothing there.
      const parsed = JSON.parse(text) as Record<string, unknown> | null;
      const cid = parsed?.cid;
      // A reply names its request, as every other problem of one does (it said "quant-ws: …").
      const requestOp = typeof parsed?.op === "string" && typeof cid === "string" ? REQUEST_OF_REPLY.get(parsed.op) : undefined;
      const error = new QuantWsFrameError(e instanceof NumberTooLongError ? "number-too-long" : "inexact-number", e.message, text, e.path, { cause: e, ...(typeof cid === "string" ? { cid, ...(requestOp ? { operation: requestOp } : {}) } : {}) });
      // A state frame's code no double holds: a login waiting for READY names it if it times out.
      throw parsed !== null && typeof parsed === "object" ? refused(parsed, error) : error;
    }
    // A reply cut short (or broken after its cid): its request fails now, not at its timeout,
    // when the text names one cid the way a reply's top level does.
    const cids = [...text.matchAll(/"cid"\s*:\s*"([^"\\]{1,128})"/g)].map((m) => m[1]!);
    throw new QuantWsFrameError("not-json", `frame is not JSON (${(e as Error).message})`, text, undefined, cids.length === 1 ? { cid: cids[0]! } : {});
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new QuantWsFrameError("not-json", "frame is not a JSON object", text);
  }
  const f = value as Record<string, unknown>;
  // A member given twice, at any depth: JSON.parse keeps the last, so {"result":false,…,"result":true}
  // would be a success (an item's too: a cancelled order), and a second cid would settle another
  // request. Which one the gateway meant is not known: refused (the reply's request fails at
  // once; each of two cids' requests, when the cid is what is repeated).
  const twice = repeatedMember(text, f);
  if (twice !== undefined) {
    const { name, path } = twice;
    // A cid given twice names two requests, and the reply is neither's: both fail at once.
    const ctx = path === "cid" ? { cids: [...new Set(topLevelStrings(text, "cid"))] } : typeof f.cid === "string" ? { cid: f.cid } : {};
    const where = path === name ? "its member" : `the member ${quoted(name)} at`;
    const error = new QuantWsFrameError("repeated-field", `frame gives ${where} ${quoted(path)} twice: which one the gateway meant is not known`, text, path, ctx);
    throw path === "token" ? refused(f, error, topLevelStrings(text, "token")) : refused(f, error);
  }
  const op = f.op;
  if (typeof op !== "string") throw missing(text, "frame", "op");
  // A pong's ts or a state's code written 1700000000000.0 is that integer, as "exact" reads it.
  if (decimals === "string" && (op === "pong" || op === "state")) integersAsWritten(f, text, ["ts", "code"]);
  const requestOp = REQUEST_OF_REPLY.get(op);
  if (requestOp) {
    if (typeof f.cid !== "string") throw missing(text, `${op} reply`, "cid");
    const ctx = { operation: requestOp, cid: f.cid };
    if (typeof f.result !== "boolean") throw refused(f, new QuantWsFrameError("missing-field", `${op} reply without a boolean \`result\``, text, "result", ctx));
    if (f.result) {
      const { dataField, dataType } = OPERATIONS[requestOp] ?? { dataField: null, dataType: null };
      if (dataField && f[dataField] === undefined) {
        throw new QuantWsFrameError("missing-field", `${op} reply with result true but no \`${dataField}\``, text, dataField, ctx);
      }
      // A null list or map stands for an empty one (an encoder writes an empty list as null);
      // a null order number or token stands for nothing, and any other value must have the
      // spec's type, or a typed caller would get a text where it expects a list (or "" for the
      // number of an order that may exist).
      const value = dataField ? f[dataField] : undefined;
      const wrong = !dataField || !dataType ? undefined : value === null ? (nullMeansEmpty(dataType) ? undefined : `is null, not ${[dataType].flat().join(" or ")}`) : answerTypeProblem(value, dataType);
      if (wrong) throw new QuantWsFrameError("wrong-type", `${op} reply's \`${dataField}\` ${wrong}`, text, dataField ?? undefined, ctx);
      // An empty order number or token names nothing either: as missing (the order may exist).
      if (value === "") throw refused(f, new QuantWsFrameError("missing-field", `${op} reply with result true but an empty \`${dataField}\``, text, dataField ?? undefined, ctx));
      if (dataField && value !== null) checkData(text, `${op} reply`, dataField, value, OPERATIONS[requestOp]?.dataSchema, decimals, ctx);
    } else if (f.error_message !== undefined && typeof f.error_message !== "string") {
      throw refused(f, new QuantWsFrameError("missing-field", `${op} reply without a valid \`error_message\``, text, "error_message", ctx));
    }
    return { kind: "reply", op: requestOp, cid: f.cid, frame: f as unknown as QuantWsReplies[RequestOp] };
  }
  switch (op) {
    case "pong":
      if (typeof f.ts !== "number" && typeof f.ts !== "bigint") throw missing(text, "pong", "ts");
      return { kind: "pong", ts: f.ts };
    case "notify": {
      const topic = f.topic;
      if (typeof topic !== "string") throw missing(text, "notify", "topic");
      if (!TOPICS.has(topic)) throw new QuantWsFrameError("unknown-op", `notify with unknown topic ${quoted(topic)}`, text, "topic");
      if (typeof f.token !== "string") throw missing(text, `${topic} notification`, "token");
      if (f.data === null || typeof f.data !== "object") throw missing(text, `${topic} notification`, "data");
      checkData(text, `${topic} notification`, "data", f.data, NOTIFICATION_SCHEMAS[topic], decimals);
      return { kind: "notify", topic: topic as Topic, token: f.token, frame: f as unknown as QuantWsNotifications[Topic] };
    }
    case "state":
      if (typeof f.token !== "string") throw missing(text, "state", "token");
      if (typeof f.code !== "number" || !Number.isInteger(f.code)) throw refused(f, missing(text, "state", "code"));
      // A code outside the spec's enum, as a status outside it in a notification: refused, not a
      // `state` event named "99" whose meaning (ready or not) nobody knows.
      if (!STATE_CODES.includes(f.code)) {
        throw refused(f, new QuantWsFrameError("wrong-type", `state notification does not fit the spec: code must be one of ${STATE_CODES.join(", ")}, got ${f.code}`, text, "code"));
      }
      if (f.msg !== undefined && f.msg !== null && typeof f.msg !== "string") throw refused(f, new QuantWsFrameError("missing-field", "state notification whose `msg` is not text", text, "msg"));
      return { kind: "state", token: f.token, frame: f as unknown as QuantWsStateNotification };
    case "error":
      return { kind: "server-error", frame: { op: "error", error_message: typeof f.error_message === "string" ? f.error_message : "" } };
    default:
      throw new QuantWsFrameError("unknown-op", `frame with unknown op ${quoted(op)}`, text, "op");
  }
}

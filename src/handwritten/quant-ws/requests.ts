/**
 * Request matching: every request gets a cid unique per client and a deadline; a reply
 * settles the request with its cid, in any order. Nothing is ever left pending: a timeout, an
 * abort, a dropped socket or close() settles it.
 */
import WebSocket from "ws";
import type { QuantWsReplies, QuantWsRequests } from "../../../generated/quant-ws.js";
import { onAbort } from "../core/abort.js";
import { AbortedError, errorForCall, markOutcomeUnknown, quoted, TimeoutError, type TradeApiError, UsageError } from "../core/errors.js";
import { DecimalPrecisionError, stringifyJson } from "../core/json.js";
import { DeadlineQueues, type Deadline } from "./deadlines.js";
import { API, ConnectionDroppedError, QuantWsFrameError, replyError } from "./errors.js";
import { decodeFrame, type IncomingFrame, type RequestOp } from "./frames.js";
import { OPERATIONS } from "./operations.js";

/** A request waiting for its reply (a class, so no closures are made per request). */
class Pending implements Deadline {
  settled = false;
  offAbort: (() => void) | undefined = undefined;
  /** A reply after a timeout or abort is expected (cancel-all) and dropped silently. */
  quietLate = false;
  /** How much of the caller's timeoutMs went before the request was sent (waiting for READY): `timeoutMs` is the rest. */
  waitedMs = 0;
  readonly deadline: number;
  constructor(
    readonly op: RequestOp,
    readonly cid: string,
    readonly timeoutMs: number,
    readonly resolve: (reply: unknown) => void,
    readonly reject: (error: Error) => void,
    readonly onExpire: (p: Pending) => void,
  ) {
    this.deadline = performance.now() + timeoutMs;
  }
  expire(): void {
    this.onExpire(this);
  }
}

const MAX_QUIET = 256;

/** How a request ended, as a reply that comes after it says ("… after its request timed out"). */
type Ending = "had its reply" | "timed out" | "was aborted" | "failed";

/** The requests that change state (the spec's `x-retryable: false`: login, place_order, cancel_order, logout). */
const CHANGES_STATE = new Set(Object.keys(OPERATIONS).filter((op) => !OPERATIONS[op]!.retryable));

/** The failure of a request already sent: for one that changes state, its outcome is unknown (TradeApiError.outcomeUnknown). */
const afterSend = <E extends Error>(op: string, e: E): E => (CHANGES_STATE.has(op) ? markOutcomeUnknown(e) : e);

/** JSON.stringify unless a bigint is present (then the lossless writer). */
function encode(frame: object): string {
  try {
    return JSON.stringify(frame);
  } catch {
    return stringifyJson(frame);
  }
}

type ReplyFrame = Extract<IncomingFrame, { kind: "reply" }>;

export class RequestTable {
  readonly #pending = new Map<string, Pending>();
  readonly #deadlines = new DeadlineQueues();
  #cidSeq = 0;
  readonly #cidPrefix = `c${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}-`;
  /** cids whose late reply is expected and dropped silently. */
  readonly #quiet = new Set<string>();
  /** How each of the last MAX_QUIET requests ended, by cid: a reply after it names that. */
  readonly #ended = new Map<string, Ending>();
  /** Removes secrets from an error before anyone sees it. */
  readonly #scrub: <E>(error: E) => E;
  /** The last frame it could not read and could not tie to a request (no readable cid): when, and what was wrong. */
  #unreadable: { at: number; message: string; what: string } | undefined;
  /** cids of logins that timed out or were aborted: a late reply with a token is a login the gateway holds. */
  readonly #lateLogins = new Set<string>();
  /** Called each time a request is settled (see `loginsAnswered`). */
  readonly #onSettle = new Set<() => void>();
  /** Called with the token of a login whose reply came after its request ended (to log it out). */
  readonly #onLateLogin: ((token: string) => void) | undefined;

  constructor(scrub: <E>(error: E) => E, onLateLogin?: (token: string) => void) {
    this.#scrub = scrub;
    this.#onLateLogin = onLateLogin;
  }

  /** A login ended without its reply: remember its cid (the gateway may still log it in). */
  #gaveUp(p: Pending): void {
    if (p.op !== "login") return;
    this.#lateLogins.add(p.cid);
    if (this.#lateLogins.size > MAX_QUIET) this.#lateLogins.delete(this.#lateLogins.values().next().value!);
  }

  readonly #onExpire = (p: Pending): void => {
    // (a read's reply after its time ran out is expected, as after an abort: no `error` event)
    if (OPERATIONS[p.op]?.retryable) p.quietLate = true;
    this.#settle(p, "timed out");
    this.#gaveUp(p);
    // A frame it could not read since the request was sent may have been its reply.
    const u = this.#unreadable;
    const meanwhile = u && u.at >= p.deadline - p.timeoutMs ? `; ${u.what} came meanwhile: ${u.message}` : "";
    // The caller's budget is named: the time it waited for READY before the request went out, and the rest.
    const budget = p.waitedMs > 0 ? ` of its timeoutMs ${p.timeoutMs + p.waitedMs} (sent after ${p.waitedMs} ms waiting for READY, with the ${p.timeoutMs} ms left)` : "";
    p.reject(afterSend(p.op, new TimeoutError(`no ${p.op} reply within ${p.timeoutMs} ms${budget} (cid ${p.cid})${meanwhile}`, { api: API, operation: p.op, timeoutMs: p.timeoutMs + p.waitedMs })));
  };

  /**
   * A frame it could not read, or the gateway's `op: error` (it failed to handle a frame), with
   * no cid to tie it to a request (reported as an `error` event too): a request that times out
   * after it names it, as it may have been that request's answer.
   */
  unreadable(error: Error, what = "a frame it could not read"): void {
    this.#unreadable = { at: performance.now(), message: error.message, what };
  }

  /** Take `p` out of the pending set (its timeout and abort listener included). */
  #settle(p: Pending, ending: Ending): void {
    this.#pending.delete(p.cid);
    for (const f of [...this.#onSettle]) f();
    this.#ended.set(p.cid, ending);
    if (this.#ended.size > MAX_QUIET) this.#ended.delete(this.#ended.keys().next().value!);
    if (p.quietLate) {
      this.#quiet.add(p.cid);
      if (this.#quiet.size > MAX_QUIET) this.#quiet.delete(this.#quiet.values().next().value!);
    }
    if (!p.settled) {
      p.settled = true;
      this.#deadlines.trim(p.timeoutMs);
    }
    p.offAbort?.();
  }

  /**
   * Send `frame` (its cid set here) on `ws` and resolve with the reply. `waitedMs`: how much of
   * the caller's timeout went before (waiting for READY); `timeoutMs` is what is left of it.
   */
  send<Op extends RequestOp>(ws: WebSocket | undefined, op: Op, frame: QuantWsRequests[Op], timeoutMs: number, signal?: AbortSignal, quietLate = false, waitedMs = 0): Promise<QuantWsReplies[Op]> {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ConnectionDroppedError("socket is not open; the request was not sent", { api: API, operation: op, sent: false }));
    }
    if (signal?.aborted) return Promise.reject(new AbortedError("aborted before sending", { api: API, operation: op, cause: signal.reason }));
    const cid = this.#cidPrefix + (++this.#cidSeq).toString(36);
    (frame as { cid?: string }).cid = cid;
    let text: string;
    try {
      text = encode(frame);
    } catch (e) {
      return Promise.reject(new UsageError(`${op} fields cannot be sent as JSON: ${(e as Error).message}`, { api: API, operation: op, cause: e }));
    }
    return new Promise<QuantWsReplies[Op]>((resolve, reject) => {
      const p = new Pending(op, cid, timeoutMs, resolve as (r: unknown) => void, reject, this.#onExpire);
      if (quietLate) p.quietLate = true;
      p.waitedMs = waitedMs;
      if (signal) {
        p.offAbort = onAbort(signal, () => {
          // A read's reply after its caller gave up is expected, no `error` event (a service
          // aborting reads routinely flooded its error log); a change's is reported: it says
          // what the gateway did.
          if (OPERATIONS[op]?.retryable) p.quietLate = true;
          this.#settle(p, "was aborted");
          this.#gaveUp(p);
          reject(afterSend(op, new AbortedError("aborted after the request was sent", { api: API, operation: op, cause: signal.reason })));
        });
      }
      this.#pending.set(cid, p);
      this.#deadlines.add(timeoutMs, p);
      ws.send(text);
    });
  }

  /**
   * A reply: settles its request (resolved when `result` is true, else rejected with the
   * typed error). Returns the error to report for a reply nobody waits for, except expected
   * late replies and any reply once the client is closed.
   */
  onReply(frame: ReplyFrame, text: string, closed: boolean): TradeApiError | undefined {
    const p = this.#pending.get(frame.cid);
    if (!p) {
      // A login that timed out, answered after all: the gateway holds it ("Do not log in
      // repeat" for the next one) unless it is logged out.
      if (this.#lateLogins.delete(frame.cid)) {
        const late = frame.frame as { result?: unknown; token?: unknown };
        if (frame.op === "login" && late.result === true && typeof late.token === "string" && late.token) this.#onLateLogin?.(late.token);
        return undefined;
      }
      // Expected late replies (a cancel-all that was confirmed otherwise), and anything
      // after close() began (its pending requests were rejected), are not errors.
      if (this.#quiet.delete(frame.cid) || closed) return undefined;
      const ending = this.#ended.get(frame.cid);
      const what =
        ending === "had its reply"
          ? `a second ${frame.op} reply for cid ${quoted(frame.cid)}: its request had its reply already`
          : ending
            ? `${frame.op} reply for cid ${quoted(frame.cid)} after its request ${ending}`
            : `${frame.op} reply for unknown cid ${quoted(frame.cid)}: no recent request of this client has it`;
      return this.#scrub(new QuantWsFrameError("unknown-cid", what, text, "cid"));
    }
    this.#settle(p, "had its reply");
    if (p.op !== frame.op) {
      p.reject(afterSend(p.op, this.#scrub(new QuantWsFrameError("op-mismatch", `expected a ${p.op} reply for cid ${frame.cid}, got ${frame.op}`, text, "op", { operation: p.op }))));
      return undefined;
    }
    const reply = frame.frame as { result: boolean; error_message?: string };
    if (reply.result) p.resolve(reply);
    else p.reject(this.#scrub(replyError(p.op, reply.error_message ?? "", reply)));
    return undefined;
  }

  /**
   * Is `cid` a login of this client, waiting for its reply or given up on (timed out, aborted:
   * its reply is late)? A late one's cid is forgotten, as when its reply is read.
   */
  isLogin(cid: string): boolean {
    return this.awaits(cid, "login") || this.#lateLogins.delete(cid);
  }

  /** Does a `op` request wait for the reply of `cid`? */
  awaits(cid: string, op: RequestOp): boolean {
    return this.#pending.get(cid)?.op === op;
  }

  /**
   * A broken reply whose cid is readable (`text`, the frame) fails its request now rather than
   * by timeout, with its own copy of `error` (the client's `error` event has `error` itself,
   * unmarked). A reply whose only fault is a decimal no double holds is read again with
   * decimals as text: a refusal is the gateway's error; a success a DecimalPrecisionError that
   * carries it (an order it accepted is not of unknown outcome: its id is there).
   */
  fail(cid: string | undefined, error: QuantWsFrameError, text: string): void {
    const p = cid !== undefined ? this.#pending.get(cid) : undefined;
    if (!p) return;
    this.#settle(p, "failed");
    p.reject(this.#inexactReply(p, error, text) ?? afterSend(p.op, errorForCall(error, { api: API, operation: p.op }, "")));
  }

  #inexactReply(p: Pending, error: QuantWsFrameError, text: string): Error | undefined {
    const inexact = error.cause;
    // (a login's answer is the login flow's to read: its token is not kept from an error's body)
    if (error.problem !== "inexact-number" || !(inexact instanceof DecimalPrecisionError) || p.op === "login") return undefined;
    let frame: IncomingFrame;
    try {
      frame = decodeFrame(text, "string");
    } catch {
      return undefined;
    }
    if (frame.kind !== "reply" || frame.cid !== p.cid || frame.op !== p.op) return undefined;
    const reply = frame.frame as { result: boolean; error_message?: string };
    if (!reply.result) return this.#scrub(replyError(p.op, reply.error_message ?? "", reply));
    return this.#scrub(new DecimalPrecisionError(inexact.path, inexact.literal, { api: API, operation: p.op, cause: error }, reply, CHANGES_STATE.has(p.op)));
  }

  /** Settle every pending request with the error `errorFor` makes for its op. */
  rejectAll(errorFor: (op: RequestOp) => Error): void {
    for (const p of [...this.#pending.values()]) {
      this.#settle(p, "failed");
      p.reject(afterSend(p.op, errorFor(p.op)));
    }
  }

  /**
   * close(): resolves once no login request waits for its reply (each answered, failed or
   * timed out), or after `ms`: a login sent but not answered yet may be given a token the
   * gateway then holds, which close() logs out.
   */
  loginsAnswered(ms: number): Promise<void> {
    const logins = [...this.#pending.values()].filter((p) => p.op === "login");
    if (logins.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#onSettle.delete(check);
        resolve();
      };
      const check = (): void => {
        if (logins.every((p) => !this.#pending.has(p.cid))) done();
      };
      const timer = setTimeout(done, ms);
      this.#onSettle.add(check);
    });
  }

  /** Stop every deadline timer (close()). */
  clearDeadlines(): void {
    this.#deadlines.clear();
  }
}

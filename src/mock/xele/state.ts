/**
 * The Xele emulator's state: settings, issued tokens, counters, the decoded requests kept for
 * tests, and the records the write operations change (seeded from the spec's examples).
 */
import { setTimeout as delay } from "node:timers/promises";
import { BoundedLog } from "../bounded-log.js";
import { readsDeclared, type MockRequest } from "../http-mock.js";
import { dataSchemaOf } from "../../handwritten/xele/spec-info.js";
import type { ReceivedRequest, XeleMock, XeleMockSettings } from "../xele.js";
import { opById, resultOf, type Json } from "./replies.js";

/** Kept for tests: the last 500 requests, at most 16 MiB of request text. */
const MAX_RECEIVED = 500;
const MAX_RECEIVED_CHARS = 16 * 1024 * 1024;

/**
 * What the write operations keep: at most 1 000 records per list (cash in/out and auth codes
 * keep the newest; a new template past it is refused, 112), each from a request of at most 16 KiB
 * of JSON text (refused past it, 116): records were kept for ever, with strings of any length.
 */
export const MAX_XELE_RECORDS = 1_000;
export const MAX_XELE_WRITE_CHARS = 16 * 1024;
/**
 * Longest request text read at all, a query's too (refused unread past it, 116): its JSON is
 * read before the token is checked, and 1 MiB of `{}` took 0.1-0.2 s to read. Documented requests
 * are a few hundred characters (the vendor document's fields are short C buffers).
 */
export const MAX_XELE_REQUEST_CHARS = 64 * 1024;
/** Tokens held at once (a login flood kept every ticket for its 30 minutes). */
export const MAX_XELE_TOKENS = 10_000;

function maxId(records: readonly Json[]): number {
  let max = 0;
  for (const r of records) if (Number(r.unique_id) > max) max = Number(r.unique_id);
  return max;
}

export class XeleState {
  /** Token → expiry (ms). */
  readonly tokens = new Map<string, number>();
  readonly stats: XeleMock["stats"] = {
    logins: 0,
    requests: { MA: 0, MS: 0 },
    inFlight: { MA: 0, MS: 0 },
    maxInFlight: { MA: 0, MS: 0 },
  };
  private readonly receivedLog = new BoundedLog<ReceivedRequest>(MAX_RECEIVED, MAX_RECEIVED_CHARS);
  readonly cash = resultOf(opById("getCashInOut"));
  /** Each investor's funds (getInvestorFunds): the example's, then what passed cash in/out records moved (xele/funds.ts). */
  readonly funds = resultOf(opById("getInvestorFunds"));
  readonly fronts = resultOf(opById("getFrontControls"));
  readonly authCodes = resultOf(opById("getAuthCodes"));
  readonly templates = {
    trade: new Map(resultOf(opById("getTradeTemplates")).map((t) => [String(t.templ), t])),
    risk: new Map(resultOf(opById("getRiskTemplates")).map((t) => [String(t.templ), t])),
    alarm: new Map(resultOf(opById("getAlarmConfigs")).map((t) => [String(t.templ), t])),
  };
  private readonly decoded = new WeakMap<MockRequest, Json>();
  /** Aborted by close(): it ends every emulated latency being waited out, and any later one. */
  private readonly closing = new AbortController();
  /** The last unique_id given (a counter: a spread of every record's id into Math.max threw RangeError past ~120 000 records). */
  lastCashId = maxId(this.cash);
  lastAuthCodeId = maxId(this.authCodes);

  constructor(
    readonly settings: XeleMockSettings,
    readonly username: string,
    readonly password: string,
  ) {}

  /** The decoded requests received, oldest first. */
  get received(): ReceivedRequest[] {
    return this.receivedLog.items;
  }

  /**
   * A new ticket expiring at `expires`. Expired tickets are swept first (the Map holds them in
   * the order issued), and past MAX_XELE_TOKENS the oldest goes.
   */
  addToken(ticket: string, expires: number): void {
    const now = Date.now();
    for (const [t, exp] of this.tokens) {
      if (exp > now && this.tokens.size < MAX_XELE_TOKENS) break;
      this.tokens.delete(t);
    }
    this.tokens.set(ticket, expires);
  }

  /**
   * Wait `ms` (an emulated latency): true once waited, false when the emulator closed first
   * (close() ends every wait, so no timer keeps the process alive after it).
   */
  wait(ms: number): Promise<boolean> {
    return delay(ms, true, { signal: this.closing.signal }).catch(() => false);
  }

  /** Has close() been called (a long scan stops)? */
  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /** The emulator is closing: every wait ends now (false), and so does any later one. */
  close(): void {
    this.closing.abort();
  }

  /** Keep a decoded request for tests (bounded). */
  record(entry: ReceivedRequest, chars: number): void {
    this.receivedLog.push(entry, chars);
  }

  /** The checked JSON request of `req` (set by the authenticate hook). */
  setRequest(req: MockRequest, json: Json): void {
    this.decoded.set(req, json);
  }
  requestOf(req: MockRequest): Json | undefined {
    return this.decoded.get(req);
  }
  /** The request's `data`, whose fields a handler reads only as the operation's spec declares them (see http-mock's readsDeclared). */
  dataOf(req: MockRequest): Json {
    const data = (this.decoded.get(req)?.data ?? {}) as Json;
    // (a request made by hand, without its operation, as a test of one handler makes it: read as it is)
    const properties = (req.op as typeof req.op | undefined) && dataSchemaOf(req.op)?.properties;
    return properties && data !== null && typeof data === "object" && !Array.isArray(data) ? readsDeclared(req.op, "field", () => Object.keys(properties), data) : data;
  }
  arrayDataOf(req: MockRequest): Json[] {
    return (this.decoded.get(req)?.data ?? []) as Json[];
  }
}

/**
 * `tradeapi mock bhex`: a local BHEX broker Org API. Routes and example answers come from the
 * spec (every operation answers its vendor doc example, IDs above 2^53 intact); this file adds what
 * the spec cannot say:
 *
 * - Credentials: the `X-ACCESS-KEY` header and the `signature` parameter (HMAC-SHA256 over all
 *   other parameters, query and form) are checked on every call. The canonical string of any
 *   of the vendor's three demos (Java, Python, PHP: see src/auth/bhex.ts) is accepted, hex in
 *   either case, and the one matched is named in the log. A failure is answered the way
 *   the common doc shows its business errors: HTTP 400 `{"code":1105,"msg":"Username or
 *   password is incorrect (…why…)"}` (1105 is the only authentication code documented).
 * - Every documented GET is also accepted as a form POST, as the vendor demos send them.
 * - State: spot order create → get → cancel (and open_orders / org_batch_cancel over the
 *   orders created here: a user without orders has no open orders, the vendor doc's example
 *   records are no orders of the emulator's); create with a client_order_id already used by
 *   that user answers the existing order (idempotent); create for a user id the emulator does
 *   not know answers the envelope status 31009 (用户信息错误), as a batch item naming one gets.
 *   finance/lock and finance/unlock keep the amount locked per user and token (the batch
 *   lock/unlock tasks move the same amounts): an unlock beyond it is refused, an amount that is
 *   not a positive decimal is refused, an unknown user is 31009, and a client_order_id is unique
 *   (客户端生成，唯一): the same request again answers success without acting twice, other
 *   terms under it are refused; a lock shows in statistics/lock_record. Batch tasks
 *   (batch_transfer, air_drop, batch_lock_position, batch_unlock_position) → get_*_result with
 *   a status per item: 200, 31009 for a user id the emulator does not know
 *   (BHEX_MOCK_USER_IDS), 5 (an "other failure", the vendor doc's example value) for an amount
 *   that is not a positive decimal or an unlock beyond what is locked. Batch KYC updates answer
 *   per row the same way (resultCode).
 * - Balances (account/balance, the main account of a known user; src/mock/bhex/funds.ts):
 *   1,000,000 of every token to start with, or what the `balances` option names. An order
 *   freezes what it could spend (a BUY price × quantity of the quote token, a market BUY its
 *   quantity of it, a SELL its quantity of the base token), a cancel gives it back; an order
 *   beyond the free amount is refused with status 1 (the vendor's document names no code).
 *   No order fills: trade_orders lists the user's cancelled orders placed here, match_info and
 *   my_trades answer none. finance lock/unlock move no balance (kept apart, lock_record only).
 * - Multi-page data sets for from_id/to_id paging: account/balance_flow (string ids; the vendor doc's
 *   two records first) and statistics/lock_record (ids, userId and clientReqId above 2^53;
 *   the locks a batch_lock_position task made here come first, newest first).
 * - Lists answer what they are asked (src/mock/query-rows.ts, from the spec): parameters that
 *   name record fields filter the records (`user_id` → `userId`, `symbol_id`, `side`, ...;
 *   `x-row-field: false` where a same-named parameter means something else), and
 *   `x-pagination` pages them (from_id / to_id / limit). Paged lists without state of their
 *   own answer their example's records that way.
 * - statistics/download_data serves a real small .xlsx; 404 for dates before the documented
 *   start of that file type or not yet over, 403 when started with `downloadForbidden`.
 * - Failures the emulator detects in a request it accepted (unknown order, malformed items,
 *   unknown task, missing parameter) are answered with the envelope `{"status":1,"msg":…}`:
 *   the vendor doc documents status 0 only, so 1 is this emulator's own "failed" status. A handler
 *   that throws answers HTTP 500 `{"code":110,"msg":"Internal server error"}`.
 * - Rate limits: off by default; with `rateLimits`, org_batch_cancel once per 10 seconds.
 */
import { meta } from "../../generated/bhex-org.docs.js";
import type { ApiMeta } from "../handwritten/core/meta.js";
import { bhexAuthenticator } from "./bhex/auth.js";
import { bhexHandlers } from "./bhex/handlers.js";
import { failed, paramRefusal } from "./bhex/replies.js";
import { mockRateLimiter } from "./rate-limits.js";
import { BhexState, userKey } from "./bhex/state.js";
import { startHttpMock, type HttpMock, type MockReply, type MockRequest } from "./http-mock.js";
import { balancesOption, checkMock, MAX_MOCK_RECORDS, SIGNED_MOCK_OPTIONS, type SignedMockOptions } from "./options.js";
import { checkOption, ownFields } from "../handwritten/core/validate.js";

export const BHEX_MOCK_ACCESS_KEY = "mock-bhex-access-key";
export const BHEX_MOCK_SECRET_KEY = "mock-bhex-secret-key";

/** User ids the emulator knows (the vendor doc's); batch items naming others get 31009. */
export const BHEX_MOCK_USER_IDS: ReadonlyArray<string> = [
  "83214971450163200",
  "231215678785585152",
  "97298429944266752",
  "83521968678633472",
  "217235926081077248",
  "241178519084990464",
  "255553800589323521",
  "270794507658851841",
  "376650750486486785",
  "385355808151729920",
  "391906699396551425",
  "490273181288998912",
];

/**
 * What `startBhexMock` takes: where to listen (`port`, `host`), the key pair to accept (default
 * BHEX_MOCK_ACCESS_KEY / BHEX_MOCK_SECRET_KEY), `log`, and the emulated data. An unknown
 * option is a UsageError.
 */
export interface BhexMockOptions extends SignedMockOptions {
  /** Records in each paged data set (default 23). */
  pagedRecords?: number | undefined;
  /** More user ids to treat as known. */
  knownUserIds?: ReadonlyArray<string> | undefined;
  /** Answer download_data with 403 (no permission). */
  downloadForbidden?: boolean | undefined;
  /** Clock (ms) for order times and the "not yet over" rule of download_data. */
  now?: (() => number) | undefined;
  /** Checked after authentication, before the handler: return a reply to inject a failure. */
  fault?: (req: MockRequest) => MockReply | undefined;
  /**
   * Enforce the vendor's rate limit (default false, as in every emulator: tests send far more):
   * order/org_batch_cancel once per 10 seconds (接口限定10秒钟内只能调用一次); a call within
   * them answers the emulator's failed status 1 (the vendor's document names no code for it).
   */
  rateLimits?: boolean | undefined;
  /**
   * Each user's tokens and free amounts to start with (`{ USDT: "100000", BTC: "10" }`; any
   * other token 0). Default: 1,000,000 of every token (the vendor's example answer holds 0.044
   * USDT free, which no order fits).
   */
  balances?: Readonly<Record<string, string | number>> | undefined;
}

/** GET operations also answer as POST (the vendor demos post everything). */
function withPostAliases(m: ApiMeta): ApiMeta {
  const posted = new Set(m.operations.filter((o) => o.method === "POST").map((o) => o.path));
  const aliases = m.operations.filter((o) => o.method === "GET" && !posted.has(o.path)).map((o) => ({ ...o, method: "POST" as const }));
  return { ...m, operations: [...m.operations, ...aliases] };
}

/**
 * Start a local BHEX broker Org API (127.0.0.1, a free port unless `port` is given): signature
 * checks, orders, finance tasks, paged lists and the .xlsx download. Resolves once it listens;
 * `close()` stops it.
 *
 *   const mock = await startBhexMock();
 *   const bhex = createBhexOrgClient({ baseUrl: mock.url, accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY });
 */
export async function startBhexMock(given: BhexMockOptions = {}): Promise<HttpMock> {
  // What the caller gave, never Object.prototype's: a `host` put there would listen on another address.
  const opts = ownFields(given, true);
  checkMock.server("bhex", opts, {
    ...SIGNED_MOCK_OPTIONS,
    pagedRecords: 1,
    knownUserIds: 1,
    downloadForbidden: 1,
    now: 1,
    fault: 1,
    rateLimits: 1,
    balances: 1,
  } satisfies Record<keyof BhexMockOptions, 1>);
  checkOption({ api: "bhex" }, "pagedRecords", opts.pagedRecords, { min: 0, max: MAX_MOCK_RECORDS });
  checkOption({ api: "bhex" }, "rateLimits", opts.rateLimits, "boolean");
  const state = new BhexState({
    now: opts.now ?? Date.now,
    users: new Set([...BHEX_MOCK_USER_IDS, ...(opts.knownUserIds ?? [])].map((id) => userKey(String(id)))),
    pagedRecords: opts.pagedRecords ?? 23,
    balances: balancesOption("bhex", opts.balances, (token: string) => token.toUpperCase()),
  });
  const authenticate = bhexAuthenticator({
    accessKey: opts.accessKey ?? BHEX_MOCK_ACCESS_KEY,
    secretKey: opts.secretKey ?? BHEX_MOCK_SECRET_KEY,
    fault: opts.fault,
  });
  // (no lock: only the call within the interval is refused)
  const limiter = opts.rateLimits ? mockRateLimiter({ meta, now: opts.now ?? Date.now }) : undefined;
  const rateCheck = (req: MockRequest): MockReply | undefined => {
    const over = limiter?.(req.op);
    return over && failed(`接口限定10秒钟内只能调用一次 (limit ${over.limit}: again in ${Math.ceil(over.waitMs)} ms)`);
  };
  return startHttpMock({
    meta: withPostAliases(meta),
    port: opts.port,
    host: opts.host,
    // Parameters the spec's schema refuses (ids beyond int64, text above maxLength) are
    // answered before any handler or paged list reads them.
    authenticate: (req) => authenticate(req) ?? rateCheck(req) ?? paramRefusal(req),
    handlers: bhexHandlers(state, { downloadForbidden: opts.downloadForbidden, log: opts.log }),
    log: opts.log,
  });
}

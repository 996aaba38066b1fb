/**
 * `tradeapi mock xt`: a local XT spot v1 server. Routes and example answers come from the
 * spec; this file adds the signature check (307 bad access key / 308 bad signature, as the
 * real service answers; every canonical-string variant the vendor's SDKs send is accepted and
 * named in the log, see matchXtSignature; a nonce more than `maxClockSkewMs`, 30 s, from the
 * emulator's clock is a 400; parameters the spec refuses are a 400 naming them, see
 * xt/params.ts), list answers that follow the request (the
 * parameters naming record fields filter, `x-pagination` pages: open orders, deposit and
 * withdrawal records, withdrawal addresses, klines by `since`; a withdraw adds a withdrawal
 * record) and enough order state for order → getOrder → cancel, batch orders
 * and batch cancel. Orders are checked as the server does (102 "参数错误", 101 for an
 * entrustType other than 0 or 1): a market
 * `base_quote`, price and amount finite decimals above 0 (at most 40 characters), a type 0
 * or 1; a batch with one item that fails places nothing.
 */
import { meta } from "../../generated/xt-spot.docs.js";
import { startHttpMock, type HttpMock } from "./http-mock.js";
import { checkMock, MAX_MOCK_RECORDS, SIGNED_MOCK_OPTIONS, type SignedMockOptions } from "./options.js";
import { xtAuthenticator } from "./xt/auth.js";
import { xtHandlers } from "./xt/handlers.js";
import { xtParamRefusal } from "./xt/params.js";
import { XtState } from "./xt/state.js";
import { checkOption, ownFields } from "../handwritten/core/validate.js";

export { matchXtSignature } from "./xt/auth.js";

export const XT_MOCK_ACCESS_KEY = "mock-access-key";
export const XT_MOCK_SECRET_KEY = "mock-secret-key";

export interface XtMockOptions extends SignedMockOptions {
  /** Deposit records the emulator holds for the example's coin (default 23: three pages of 10). */
  depositRecords?: number | undefined;
  /** Largest accepted distance between a request's `nonce` and the emulator's clock (default 30 000 ms); further is a 400. */
  maxClockSkewMs?: number | undefined;
  /** The emulator's clock (ms): nonce freshness, getServerTime, order and withdrawal times. */
  now?: (() => number) | undefined;
}

export async function startXtMock(given: XtMockOptions = {}): Promise<HttpMock> {
  // What the caller gave, never Object.prototype's: a `host` put there would listen on another address.
  const opts = ownFields(given, true);
  checkMock.server("xt", opts, { ...SIGNED_MOCK_OPTIONS, depositRecords: 1, maxClockSkewMs: 1, now: 1 } satisfies Record<keyof XtMockOptions, 1>);
  checkOption({ api: "xt" }, "depositRecords", opts.depositRecords, { min: 0, max: MAX_MOCK_RECORDS });
  checkOption({ api: "xt" }, "maxClockSkewMs", opts.maxClockSkewMs, "ms");
  checkOption({ api: "xt" }, "now", opts.now, "function");
  const now = opts.now ?? Date.now;
  const signatureCheck = xtAuthenticator({
    accessKey: opts.accessKey ?? XT_MOCK_ACCESS_KEY,
    secretKey: opts.secretKey ?? XT_MOCK_SECRET_KEY,
    maxClockSkewMs: opts.maxClockSkewMs ?? 30_000,
    now,
  });
  return startHttpMock({
    meta,
    port: opts.port,
    host: opts.host,
    authenticate: (req) => signatureCheck(req) ?? xtParamRefusal(req),
    handlers: xtHandlers(new XtState(opts.depositRecords ?? 23, now)),
    errorBody: (status, message) => ({ code: status, info: message }),
    log: opts.log,
  });
}

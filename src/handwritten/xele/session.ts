/**
 * `XeleSession`: the MA login token (identity) of one client, kept apart from how requests
 * carry it (wire-request.ts puts it into the JSON's `token` field).
 *
 * - The first request logs in (MA /login with username and password; the answer's `ticket` is
 *   the token) and every later request reuses the token.
 * - Concurrent requests share one login: whoever asks while a login is running waits for it.
 * - When the server answers 109 (invalid token), the caller drops exactly the token it used
 *   (`invalidate(token)`) and asks again: the first caller to do so starts a new login, the
 *   others — also holding the stale token — join it. A newer token is never dropped by a late
 *   109 for an older one. The client retries a request once after a re-login.
 * - A token from a login made because of a 109 that gets a 109 itself before any answer accepted
 *   it (`accepted(token)`) was refused as soon as it was issued (the counter does not see MA's
 *   logins): it is dropped, and the calls that sent it, or hold it, fail with a 109 instead of
 *   logging in again (`refusalOf`). A counter that refuses every token so meets one login per
 *   call the caller makes after that, not one for each wave of calls in flight (a burst of 200
 *   calls made 57 logins).
 * - `serialno` (a reserved 0-65535 field) is a per-session request counter wrapping at 65535.
 * - Nothing here logs or throws the password or the token: the log says who logs in and why.
 *   Both live in private fields: inspecting, serializing or walking a session shows the user
 *   name, whether a token is held and the login count, nothing more; `redactor()` removes the
 *   password and the recent tokens from a text or an error without handing them out.
 */
import { credentialOf } from "../core/credentials.js";
import { CredentialsError, typeName, UsageError } from "../core/errors.js";
import { observe } from "../core/observe.js";
import { describeAs, Redactor, secretList } from "../core/redaction.js";
import { checkOption, checkOptionNames, ownFields } from "../core/validate.js";

/** What `new XeleSession(…)` takes (a client makes its own from its options). */
export interface XeleSessionOptions {
  /** The MA login's user name (a CredentialsError at the first login when missing). */
  username?: string | undefined;
  /** The MA login's password (a CredentialsError at the first login when missing); never logged. */
  password?: string | undefined;
  /** Performs the MA login and resolves to the token (the client passes its MA transport call). */
  login: (username: string, password: string) => Promise<string>;
  /** Receives one line per login event; never a secret. */
  log?: ((line: string) => void) | undefined;
  /** First serialno to send (default 0). */
  firstSerialNo?: number | undefined;
}

/** The largest `serialno` a request carries; the next one after it is 0. */
export const SERIALNO_MAX = 65535;

/** How many of the tokens issued the session keeps to scrub from messages. */
const MAX_KEPT_TOKENS = 64;

/** The options XeleSession takes (the type checks that the list is whole). */
const SESSION_OPTIONS = { username: 1, password: 1, login: 1, log: 1, firstSerialNo: 1 } satisfies Record<keyof XeleSessionOptions, 1>;

/**
 * The MA login of one Xele client (`client.session`): the first call logs in, concurrent calls
 * share one login, a token the counter answers 109 (invalid token) for is dropped and the next
 * call logs in again. Inspecting or serializing it shows the user name, whether a token is held
 * and the login count, never the password or the token.
 *
 *   xele.session.loginCount;  // logins made so far
 *   xele.session.reset();     // the next call logs in again
 */
export class XeleSession {
  #current: string | undefined;
  #pending: Promise<string> | undefined;
  #serial: number;
  #logins = 0;
  /** The tokens issued, the last MAX_KEPT_TOKENS, still scrubbed from messages after they are replaced. */
  readonly #issued: string[] = [];
  /** Tokens of logins made because of a 109 that no answer has accepted yet. */
  readonly #unproven = new Set<string>();
  /** Is the next login one made because of a 109 (its token then unproven)? */
  #afterRefusal = false;
  /** How many tokens were refused as soon as they were issued, and the last one's 109. */
  #refusals = 0;
  #lastRefusal: unknown;
  /** Tokens refused as soon as they were issued (the last few), each with its 109: a 109 for one asks for no new login. */
  readonly #refused = new Map<string, unknown>();
  readonly #options: XeleSessionOptions;
  /** A session that logs in with `given.login`; options that cannot work are a UsageError. */
  constructor(given: XeleSessionOptions) {
    const options = ownFields(given, true); // (what the caller gave, never Object.prototype's)
    // Wrong options are a UsageError naming the option, as every factory's (not a TypeError at the first login).
    const ctx = { api: "xele", operation: "XeleSession" };
    if (options === undefined) throw new UsageError("XeleSession takes its options { login, username?, password?, log?, firstSerialNo? }", ctx);
    checkOptionNames(ctx, "the XeleSession options", options, SESSION_OPTIONS);
    if (typeof options.login !== "function") throw new UsageError(`login must be the function that logs in and resolves to the token, got ${typeName(options.login)}`, ctx);
    checkOption(ctx, "log", options.log, "function");
    checkOption(ctx, "firstSerialNo", options.firstSerialNo, { min: 0, max: SERIALNO_MAX });
    this.#options = options;
    this.#serial = options.firstSerialNo ?? 0;
    describeAs(this, "XeleSession", () => ({ username: this.#options.username, hasToken: this.hasToken, loginCount: this.#logins }));
  }

  /** A line to the `log` option (its failure is a warning, never the login's). */
  #log(line: string): void {
    if (this.#options.log) observe(this.#options.log, line, "log");
  }

  /** How many logins this session has made. */
  get loginCount(): number {
    return this.#logins;
  }

  /** Is a token held now (without logging in)? */
  get hasToken(): boolean {
    return this.#current !== undefined;
  }

  /** The token held now, without logging in (undefined when there is none). */
  currentToken(): string | undefined {
    return this.#current;
  }

  /** The token, logging in first when there is none (one login shared by concurrent callers). */
  token(): Promise<string> {
    if (this.#current !== undefined) return Promise.resolve(this.#current);
    this.#pending ??= this.#login().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** @internal An answer other than 109 came for a request sent with `token`: the counter knows it. */
  accepted(token: string): void {
    this.#unproven.delete(token);
    this.#refused.delete(token);
  }

  /**
   * @internal Drop `token` after the server rejected it (109, `error`); a newer token is kept. Returns
   * whether it was dropped. One that came from a login made because of a 109, and that no answer
   * accepted, is kept as refused, with `error` (see refusalOf).
   */
  invalidate(token: string, error?: unknown): boolean {
    if (this.#current !== token) return false;
    this.#current = undefined;
    this.#afterRefusal = true;
    if (this.#unproven.delete(token)) {
      this.#refused.set(token, error);
      this.#refusals++;
      this.#lastRefusal = error;
      if (this.#refused.size > 8) this.#refused.delete(this.#refused.keys().next().value!);
      this.#log(`xele: a token MA had just issued was rejected (109 invalid token): the calls that hold it fail; the next call logs in to MA again as ${this.#options.username ?? "?"}`);
    } else this.#log(`xele: the token was rejected (109 invalid token); logging in to MA again as ${this.#options.username ?? "?"}`);
    return true;
  }

  /** @internal `{ error }` (the 109 given to invalidate) when `token` was refused as soon as it was issued, else undefined. */
  refusalOf(token: string): { error: unknown } | undefined {
    return this.#refused.has(token) ? { error: this.#refused.get(token) } : undefined;
  }

  /** @internal How many tokens have been refused as soon as they were issued (a call notes it when it starts: see refusalSince). */
  get refusals(): number {
    return this.#refusals;
  }

  /**
   * @internal `{ error }` (the last refusal's 109) when a token was refused as soon as it was issued
   * since `refusals` was `count`: a call that started before it fails with it rather than log
   * in again (the calls made after it do log in again).
   */
  refusalSince(count: number): { error: unknown } | undefined {
    if (typeof count !== "number") throw new UsageError(`refusalSince takes a count of refusals (a number), got ${typeName(count)}`, { api: "xele" });
    return this.#refusals > count ? { error: this.#lastRefusal } : undefined;
  }

  /** Forget the token (the next request logs in). */
  reset(): void {
    this.#current = undefined;
  }

  /** @internal The next serialno: 0, 1, …, 65535, 0, … */
  nextSerialNo(): number {
    const n = this.#serial;
    this.#serial = n === SERIALNO_MAX ? 0 : n + 1;
    return n;
  }

  /** A Redactor of the password and the recent tokens (plus `extra`), for texts and errors. */
  redactor(extra: ReadonlyArray<string | undefined> = []): Redactor {
    // Made once per set of tokens, not per failed call: a server's ticket of megabytes cost a
    // second of the event loop for each redactor made of it.
    const base = (this.#redactor ??= this.#lastRedactor = new Redactor([this.#options.password, ...this.#issued], this.#lastRedactor));
    const more = secretList(extra) as Array<string | undefined>;
    return more.some((s) => typeof s === "string" && s !== "") ? base.with(more) : base;
  }
  /** The redactor of the password and #issued; undefined when #issued changed since. */
  #redactor: Redactor | undefined;
  /** The one made last: the next reuses its work on the secrets they share. */
  #lastRedactor: Redactor | undefined;

  async #login(): Promise<string> {
    const { username, password } = this.#options;
    if (!username) throw new CredentialsError("missing username: pass { username } to createXeleClient", { api: "xele", operation: "login" });
    if (!password) throw new CredentialsError("missing password: pass { password } to createXeleClient", { api: "xele", operation: "login" });
    // As every API's keys: a line break (a password read from a file keeps it) is refused by name, not a wrong password.
    credentialOf("xele", "username", username, "login");
    credentialOf("xele", "password", password, "login");
    this.#log(`xele: logging in to MA as ${username}`);
    const token = await this.#options.login(username, password);
    if (typeof token !== "string" || token === "") throw new UsageError(`the login function must resolve to the token (a non-empty string), got ${token === "" ? "an empty string" : typeName(token)}`, { api: "xele", operation: "login" });
    this.#logins++;
    this.#current = token;
    this.#issued.push(token);
    this.#redactor = undefined;
    // (MA may issue the same ticket again: it is judged anew)
    this.#refused.delete(token);
    if (this.#afterRefusal) this.#unproven.add(token);
    this.#afterRefusal = false;
    // (an answer echoing a token 8 logins old was shown whole: a slow request outlives logins)
    if (this.#issued.length > MAX_KEPT_TOKENS) this.#unproven.delete(this.#issued.shift()!);
    this.#log(`xele: logged in to MA as ${username}`);
    return token;
  }
}

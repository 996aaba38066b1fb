/**
 * Logging sessions in: login → token → READY (releasing a login that fails after its reply),
 * and after a reconnect logging every session in again, retrying "Do not log in repeat"
 * with backoff (core/retry.ts) for `repeatLogin.windowMs`.
 */
import type { QuantWsReplies, QuantWsRequests } from "../../../generated/quant-ws.js";
import { ApiError, ConnectionError, InvalidRequestError, ResponseFormatError, TimeoutError, TradeApiError } from "../core/errors.js";
import { backoffDelayMs, type RetryOptions } from "../core/retry.js";
import { ownFields } from "../core/validate.js";
import type { QuantWsClientEvents, RepeatLoginOptions } from "./client.js";
import { API, ClientClosedError, ConnectionDroppedError, QuantWsStateError, SessionClosedError } from "./errors.js";
import type { TypedEvents } from "./events.js";
import type { SessionRouter } from "./session-router.js";
import { driveSession, type QuantWsLogin, type QuantWsSession } from "./session.js";

const REPEAT_LOGIN = "Do not log in repeat";

export interface LoginHost {
  /** close() has begun. */
  readonly closed: boolean;
  readonly connected: boolean;
  readonly events: TypedEvents<QuantWsClientEvents>;
  readonly router: SessionRouter;
  /** The socket now (a re-login retry stops when it changes). */
  socket(): unknown;
  /** A request through the client (refused once closed). */
  send<Op extends "login">(op: Op, frame: QuantWsRequests[Op], timeoutMs: number): Promise<QuantWsReplies[Op]>;
  /** A logout straight to the socket (also once closed). */
  logout(token: string): Promise<QuantWsReplies["logout"]>;
  /** Removes secrets from an error. */
  scrub<E>(error: E): E;
}

export interface LoginFlowOptions {
  /** login: reply plus the READY state. */
  loginTimeoutMs: number;
  /** undefined: a refused re-login ends the session at once. */
  repeatLogin: Required<RepeatLoginOptions> | undefined;
  /**
   * A re-login (after a reconnect) that got no READY, or a state 7 not about the keys: how long
   * the session may keep trying (Infinity: for ever), and the backoff between tries (the
   * reconnect's).
   */
  reloginTimeoutMs: number;
  reloginBackoff: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "random">;
}

/**
 * A re-login's failure the gateway recovers from by itself, so the session stays: no READY
 * within the login timeout after its reply (the exchange link is down: the gateway reconnects and sends READY
 * when it is back; state 3 is not final), or state 7 that is not about the keys (a setup step of
 * the adapter failed: "get_account_balance error: HTTP 502"). Not a dropped socket (the next
 * socket logs in again), and not a final refusal (state 1, state 7 about the keys, result false).
 */
function recoverable(error: unknown): error is TradeApiError {
  if (error instanceof TimeoutError) return readyTimeouts.has(error);
  return error instanceof QuantWsStateError && error.stateCode === 7;
}

/**
 * The timeouts of logins answered (a token) that got no READY in time. Not one whose reply never
 * came: a gateway that answers no login is not one still reconnecting to its exchange.
 */
const readyTimeouts = new WeakSet<TimeoutError>();

export class LoginFlow {
  readonly #host: LoginHost;
  readonly #opts: LoginFlowOptions;
  /** The credentials each session logs in (and again after a reconnect) with. */
  readonly #credentials = new WeakMap<QuantWsSession, QuantWsLogin>();
  /** Logouts of failed logins still in flight (close() waits for them). */
  readonly releases = new Set<Promise<unknown>>();
  /** Backoff sleeps of re-login retries (close() and the session's logout() cut them short). */
  readonly #sleeps = new Set<{ session: QuantWsSession; timer: ReturnType<typeof setTimeout>; wake(): void }>();
  /** The re-login of each session logging in again after a reconnect. */
  readonly #relogins = new Map<QuantWsSession, Promise<void>>();
  /** A session logging in again after a reconnect, until READY: since when, its logins and backoff waits. */
  readonly #reloggingSince = new WeakMap<QuantWsSession, { at: number; logins: number; waits: number }>();
  /** The logout of the last login a session got but did not keep (see `#release`). */
  readonly #released = new WeakMap<QuantWsSession, Promise<QuantWsReplies["logout"]>>();

  constructor(host: LoginHost, opts: LoginFlowOptions) {
    this.#host = host;
    this.#opts = opts;
  }

  /** Remember what `session` logs in with (a copy). */
  remember(session: QuantWsSession, login: QuantWsLogin): void {
    this.#credentials.set(session, ownFields({ ...login, symbols: [...login.symbols] }));
  }

  /** close(): end every re-login backoff wait now. */
  wake(): void {
    for (const s of [...this.#sleeps]) s.wake();
  }

  /** Send login, take the token, wait for READY (or a fatal state). Used again on reconnect. */
  async login(session: QuantWsSession): Promise<void> {
    try {
      await this.#loginSessionUnscrubbed(session);
    } catch (e) {
      throw this.#host.scrub(e);
    }
  }

  async #loginSessionUnscrubbed(session: QuantWsSession): Promise<void> {
    const creds = this.#credentials.get(session)!;
    const started = performance.now();
    const frame: QuantWsRequests["login"] = {
      op: "login",
      platform: creds.platform,
      symbols: creds.symbols,
      access_key: creds.accessKey,
      secret_key: creds.secretKey,
      ...(creds.account !== undefined ? { account: creds.account } : {}),
    };
    const reply = await this.#host.send("login", frame, this.#opts.loginTimeoutMs);
    if (!reply.token) throw new ResponseFormatError("login reply with result true but no token", "", { api: API, operation: "login" });
    if (session.ended) {
      // Logged out (or closed) while this login was on its way: the gateway holds it now.
      this.#host.router.unexpect(reply.token, "the session ended while logging in: its new login was logged out");
      void this.#release(session, reply.token).catch(() => undefined);
      throw new SessionClosedError("the session ended while logging in: its new login was logged out", { api: API, operation: "login" });
    }
    // A gateway that hands out the token of another session that is READY on this socket:
    // taking it would route that session's states and notifications here, and this login would
    // wait for a READY that went there. The other session keeps it (no logout: the token is not
    // this login's to release). A token left from before a reconnect (its session not READY
    // again yet) does not count: tokens of a closed socket mean nothing on the new one.
    const holder = this.#host.router.owner(reply.token);
    if (holder && holder !== session && holder.ready) {
      this.#host.router.unexpect(reply.token, "the login that got this token did not take it: another session of this client holds it");
      throw new ResponseFormatError("the gateway answered this login with the token of another session of this client: not taken (the other session keeps it)", "", { api: API, operation: "login" });
    }
    this.#host.router.unbind(session.token, session);
    const ready = driveSession.awaitLoginReady(
      session,
      this.#opts.loginTimeoutMs - (performance.now() - started),
      { platform: creds.platform, secrets: [creds.secretKey] },
      this.#opts.loginTimeoutMs,
    );
    driveSession.setToken(session, reply.token);
    this.#host.router.bind(reply.token, session);
    try {
      await ready;
    } catch (error) {
      if (error instanceof TimeoutError) readyTimeouts.add(error);
      this.#host.router.unbind(reply.token, session);
      // The server still holds the login (state 1, 7, a timeout, the session logged out while
      // waiting for READY): release it so a later login is not "repeat". Not when another
      // session took the token meanwhile (a gateway that answered two logins with one token):
      // that would log the other session out under it.
      const taken = this.#host.router.owner(reply.token);
      if (this.#host.connected && !(error instanceof ConnectionError) && (taken === undefined || taken === session)) void this.#release(session, reply.token).catch(() => undefined);
      throw error;
    } finally {
      driveSession.loginDone(session);
    }
    if (this.#host.closed) throw this.closedAfterLogin(session);
  }

  /**
   * close() began as `session`'s login got READY (a `state` listener closed the client): close()
   * logs out only the sessions the client holds, and this one it does not yet, so its login is
   * released here (close() waits for that logout) and the session ends. The error to throw.
   */
  closedAfterLogin(session: QuantWsSession): ClientClosedError {
    const token = session.token;
    this.#host.router.unbind(token, session);
    if (token) void this.#release(session, token).catch(() => undefined);
    const error = new ClientClosedError("client closed during login", { api: API, operation: "login" });
    driveSession.end(session, error);
    return error;
  }

  /** Log out `token`, a login `session` got but does not keep. close() waits for it, so its reply is never an orphan. */
  #release(session: QuantWsSession, token: string): Promise<QuantWsReplies["logout"]> {
    const release = this.#logoutKept(token);
    this.#released.set(session, release);
    return release;
  }

  /**
   * A login whose reply came after it timed out (or was aborted), or whose reply could not be
   * read: no session took its token, so the gateway would hold the login and answer the next
   * one "Do not log in repeat". Logged out now; the states and notifications the gateway sent
   * it meanwhile are reported as frames no session holds (`why`).
   */
  releaseLate(token: string, why = "its login timed out before the reply: logged out"): void {
    this.#host.router.unexpect(token, why);
    if (this.#host.connected) void this.#logoutKept(token).catch(() => undefined);
  }

  /** A logout close() waits for. */
  #logoutKept(token: string): Promise<QuantWsReplies["logout"]> {
    const release = this.#host.logout(token);
    const settled = release.catch(() => undefined);
    this.releases.add(settled);
    void settled.then(() => this.releases.delete(settled));
    return release;
  }

  /** Whether `session` is logging in again after a reconnect. */
  relogging(session: QuantWsSession): boolean {
    return this.#relogins.has(session);
  }

  /**
   * `session` was ended (logged out) while logging in again: its re-login stops (a backoff wait
   * is cut short, a login answered later is logged out, see `#loginSessionUnscrubbed`).
   * Resolves once the gateway holds no login of it, to the reply of the logout that released
   * one (undefined when the re-login got none); rejects with the login's error when its reply
   * never came (outcomeUnknown: the gateway may hold that login).
   */
  async afterLogout(session: QuantWsSession): Promise<QuantWsReplies["logout"] | undefined> {
    const run = this.#relogins.get(session);
    for (const s of [...this.#sleeps]) if (s.session === session) s.wake();
    const failure = await run?.then(
      () => undefined,
      (e: unknown) => e,
    );
    const released = this.#released.get(session);
    this.#released.delete(session);
    if (released) return released;
    // READY came just before: that login is the session's own token now.
    if (run && failure === undefined) return this.#host.logout(session.token);
    if (failure instanceof TradeApiError && failure.outcomeUnknown && !(failure instanceof ConnectionError)) throw failure;
    return undefined;
  }

  /** After a reconnect: every session logs in again; the outcome is reported as `reconnected`. */
  async reloginAll(attempt: number): Promise<() => void> {
    const sessions = [...this.#host.router.sessions];
    // No token in the outcome: the event is the caller's to log, and a token is a secret.
    type Outcome = { session: QuantWsSession } | { session: QuantWsSession; error: TradeApiError };
    const results = await Promise.all(
      sessions.map(async (session): Promise<Outcome> => {
        const run = this.#reloginSession(session);
        this.#relogins.set(session, run);
        try {
          await run;
          return { session };
        } catch (error) {
          return { session, error: error as TradeApiError };
        } finally {
          // Not the entry of a later reconnect's re-login (this one ended after that began).
          if (this.#relogins.get(session) === run) this.#relogins.delete(session);
        }
      }),
    );
    return () => {
      const ok: QuantWsClientEvents["reconnected"]["sessions"] = [];
      const failed: QuantWsClientEvents["reconnected"]["failed"] = [];
      for (const r of results) {
        // Logged out meanwhile: no longer the client's to report.
        if (r.session.ended) continue;
        if ("error" in r) {
          failed.push({ session: r.session, error: r.error });
          driveSession.end(r.session, r.error);
          this.#host.events.emit("error", r.error);
        } else ok.push({ session: r.session });
      }
      this.#host.events.emit("reconnected", { attempt, sessions: ok, failed });
    };
  }

  /**
   * Log a session in again after a reconnect. "Do not log in repeat" means the server still
   * holds this account's login from the socket that died (it notices only at its idle check):
   * retry with backoff (core/retry.ts) until `repeatLogin.windowMs` has passed. No READY within
   * the login timeout, or a state 7 not about the keys, ends nothing either (`recoverable`): the
   * login is released and made again with the reconnect's backoff (`reloginDelayed` events),
   * until READY, a final refusal or `reloginTimeoutMs`. A first login keeps its one timeout.
   */
  async #reloginSession(session: QuantWsSession): Promise<void> {
    const policy = this.#opts.repeatLogin;
    const socket = this.#host.socket();
    // Since when the session logs in again, over every reconnect until READY (a socket dropping
    // meanwhile starts no new count: reloginTimeoutMs held nothing while the gateway flapped).
    const since = this.#reloggingSince.get(session) ?? { at: performance.now(), logins: 0, waits: 0 };
    this.#reloggingSince.set(session, since);
    /** When the current run of "Do not log in repeat" began, and its length (an answered login ends a run). */
    let firstRefusal: number | undefined;
    let repeats = 0;
    for (;;) {
      try {
        since.logins++;
        await this.login(session);
        this.#reloggingSince.delete(session);
        return;
      } catch (error) {
        if (this.#host.closed || session.ended) throw error;
        let delayMs: number;
        if (recoverable(error)) {
          // The session stays (not READY): its login was released (login()), and it logs in
          // again after a backoff, until READY, a final refusal, or reloginTimeoutMs. The login
          // was answered: the gateway held none, so a refusal as "repeat" after it is a new run.
          firstRefusal = undefined;
          repeats = 0;
          delayMs = backoffDelayMs(++since.waits, this.#opts.reloginBackoff);
          const capMs = this.#opts.reloginTimeoutMs;
          const spent = performance.now() - since.at;
          if (spent + delayMs > capMs) {
            throw new TimeoutError(`not READY again within ${capMs} ms (reloginTimeoutMs) of logging in again after a reconnect: ${since.logins} logins over ${Math.round(spent)} ms, the last: ${error.message.replace(/^quant-ws login: /, "")}`, {
              api: API,
              operation: "login",
              timeoutMs: capMs,
              cause: error,
            });
          }
          // The next login must not find this one still held ("Do not log in repeat").
          await this.#released.get(session)?.catch(() => undefined);
          this.#host.events.emit("reloginDelayed", { session, attempt: since.waits, delayMs, error });
        } else {
          const repeat = error instanceof ApiError && error.code === REPEAT_LOGIN;
          if (!repeat || !policy) throw error;
          firstRefusal ??= performance.now();
          const attempt = ++repeats;
          delayMs = backoffDelayMs(attempt, policy);
          if (performance.now() + delayMs - firstRefusal > policy.windowMs) {
            const e = error as ApiError;
            throw new InvalidRequestError({
              api: API,
              operation: "login",
              code: e.code,
              vendorMessage: e.vendorMessage,
              meaning: `the server still held this access_key@platform after ${attempt} attempts over ${Math.round(performance.now() - firstRefusal)} ms (repeatLogin.windowMs ${policy.windowMs})`,
              kind: "invalid-request",
              body: e.body,
            });
          }
          this.#host.events.emit("reloginRetry", { session, attempt, delayMs, error: error as ApiError });
        }
        if (!this.#host.closed && !session.ended) await this.#sleep(delayMs, session);
        if (this.#host.closed) throw new ClientClosedError("client closed while retrying the login", { api: API, operation: "login" });
        if (session.ended) throw error;
        // The socket dropped meanwhile: the next reconnect logs the session in (not this loop).
        if (this.#host.socket() !== socket) throw new ConnectionDroppedError("socket closed while retrying the login", { api: API, operation: "login", sent: false });
      }
    }
  }

  /** A backoff wait of `session`'s re-login that close() and its logout() cut short. */
  #sleep(ms: number, session: QuantWsSession): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        session,
        timer: setTimeout(() => {
          this.#sleeps.delete(entry);
          resolve();
        }, ms),
        wake: () => {
          clearTimeout(entry.timer);
          this.#sleeps.delete(entry);
          resolve();
        },
      };
      this.#sleeps.add(entry);
    });
  }
}

/**
 * Session routing: the sessions of one client by token, and the state and notification
 * frames delivered to the session whose token they carry. A frame for a token not known yet
 * (its login reply may come after it: replies can be reordered) is held, a bounded number,
 * until that token is bound.
 */
import type { TradeApiError } from "../core/errors.js";
import type { IncomingFrame } from "./frames.js";
import type { QuantWsSession } from "./session.js";

const MAX_ORPHANS = 256;

type SessionFrame = Extract<IncomingFrame, { kind: "state" | "notify" }>;
type StateFrame = Extract<IncomingFrame, { kind: "state" }>;

export class SessionRouter {
  /** Sessions logged in and not ended. */
  readonly sessions = new Set<QuantWsSession>();
  readonly #byToken = new Map<string, QuantWsSession>();
  #orphans: Array<{ token: string; frame: SessionFrame }> = [];
  /** Delivers a state frame to its session (the client redacts and reports it). */
  readonly #onState: (session: QuantWsSession, frame: StateFrame) => void;

  constructor(onState: (session: QuantWsSession, frame: StateFrame) => void) {
    this.#onState = onState;
  }

  /** The session `token` names now, from login reply to logout. */
  bind(token: string, session: QuantWsSession): void {
    this.#byToken.set(token, session);
    this.#replayOrphans(token, session);
  }
  /** The session `token` names now, if any. */
  owner(token: string): QuantWsSession | undefined {
    return this.#byToken.get(token);
  }
  /** Forget `token` if it still names `session`. */
  unbind(token: string, session: QuantWsSession): void {
    if (token && this.#byToken.get(token) === session) this.#byToken.delete(token);
  }
  forget(session: QuantWsSession): void {
    this.sessions.delete(session);
    this.unbind(session.token, session);
  }

  route(frame: SessionFrame): void {
    const session = this.#byToken.get(frame.token);
    if (!session) {
      // Possibly for a login whose reply has not arrived yet (replies can be reordered).
      this.#orphans.push({ token: frame.token, frame });
      if (this.#orphans.length > MAX_ORPHANS) this.#orphans.shift();
      return;
    }
    this.#deliver(session, frame);
  }

  #deliver(session: QuantWsSession, frame: SessionFrame): void {
    if (frame.kind === "state") this.#onState(session, frame);
    else session._onNotify(frame.topic, frame.frame.data);
  }

  #replayOrphans(token: string, session: QuantWsSession): void {
    if (!this.#orphans.some((o) => o.token === token)) return;
    const mine = this.#orphans.filter((o) => o.token === token);
    this.#orphans = this.#orphans.filter((o) => o.token !== token);
    for (const o of mine) this.#deliver(session, o.frame);
  }

  clearOrphans(): void {
    this.#orphans = [];
  }

  /** The socket dropped: every session, logged in or logging in, hears of it once. */
  socketDown(error: TradeApiError): void {
    for (const s of this.sessions) s._socketDown(error);
    for (const s of this.#byToken.values()) if (!this.sessions.has(s)) s._socketDown(error);
  }

  /** Every session, logged in or logging in (close()). */
  all(): QuantWsSession[] {
    return [...this.sessions, ...this.#byToken.values()];
  }
}

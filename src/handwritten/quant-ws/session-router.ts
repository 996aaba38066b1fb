/**
 * Session routing: the sessions of one client by token, and the state and notification
 * frames delivered to the session whose token they carry. A frame for a token not known yet
 * (its login reply may come after it: replies can be reordered) is held, a bounded number,
 * until that token is bound. A held frame that no session takes (the oldest past
 * MAX_ORPHANS frames or MAX_ORPHAN_COST (frameCost: text and parsed values), and every one still held when the socket drops or the client closes: a late
 * notification of a session that has logged out, or a token of another client) goes to
 * `onUnrouted`, which the client reports as an `error` event: nothing is dropped unsaid.
 */
import type { TradeApiError } from "../core/errors.js";
import { Fifo } from "./fifo.js";
import { frameCost, type IncomingFrame } from "./frames.js";
import { driveSession, type QuantWsSession } from "./session.js";

const MAX_ORPHANS = 256;
/** Held frames' cost at most (frameCost: characters plus 32 per JSON value): a login's early frames are small. */
const MAX_ORPHAN_COST = 8 * 1024 * 1024;
/**
 * Frames for the token of a login reply just read, before the login binds it (a microtask
 * later; the frames of the same socket read come first): a snapshot may be pushed right after
 * the reply. As many as a session holds per topic, and as much text as it holds in all.
 */
const MAX_EXPECTED = 100_000;
const MAX_EXPECTED_COST = 256 * 1024 * 1024;

type SessionFrame = Extract<IncomingFrame, { kind: "state" | "notify" }>;
type StateFrame = Extract<IncomingFrame, { kind: "state" }>;

export class SessionRouter {
  /** Sessions logged in and not ended. */
  readonly sessions = new Set<QuantWsSession>();
  readonly #byToken = new Map<string, QuantWsSession>();
  #orphans: Array<{ token: string; frame: SessionFrame; text: string; cost: number }> = [];
  #orphanCost = 0;
  /** Frames for tokens a login reply just gave, held until the login binds the token (see MAX_EXPECTED). */
  readonly #expected = new Map<string, Fifo<{ frame: SessionFrame; text: string; cost: number }>>();
  #expectedCost = 0;
  /** Per token not bound yet, the last state frame for it that could not be read (at most MAX_ORPHANS tokens). */
  readonly #unreadable = new Map<string, TradeApiError>();
  /** Delivers a state frame to its session (the client redacts and reports it). */
  readonly #onState: (session: QuantWsSession, frame: StateFrame) => void;
  /** A held frame no session took: `why` ends the sentence "not delivered: …". */
  readonly #onUnrouted: (frame: SessionFrame, text: string, why: string) => void;

  constructor(onState: (session: QuantWsSession, frame: StateFrame) => void, onUnrouted: (frame: SessionFrame, text: string, why: string) => void) {
    this.#onState = onState;
    this.#onUnrouted = onUnrouted;
  }

  /**
   * A login reply gave `token` (read now, taken by its login a microtask later): the frames for
   * it until then (and those held for it before) wait for that login, not in the small queue
   * of frames for unknown tokens. Nothing to do for a token a session holds already.
   */
  expect(token: string): void {
    if (this.#byToken.has(token) || this.#expected.has(token)) return;
    const mine = new Fifo<{ frame: SessionFrame; text: string; cost: number }>();
    for (const o of this.#takeOrphans(token)) {
      mine.push(o);
      this.#expectedCost += o.cost;
    }
    this.#expected.set(token, mine);
  }

  /** The login of an expected token did not take it: its held frames are not delivered, `why`. */
  unexpect(token: string, why: string): void {
    for (const o of this.#takeExpected(token)) this.#onUnrouted(o.frame, o.text, why);
  }

  /** The session `token` names now, from login reply to logout. */
  bind(token: string, session: QuantWsSession): void {
    this.#byToken.set(token, session);
    const unreadable = this.#unreadable.get(token);
    if (unreadable) {
      this.#unreadable.delete(token);
      driveSession.onUnreadableState(session, unreadable);
    }
    for (const o of [...this.#takeOrphans(token), ...this.#takeExpected(token)]) this.#deliver(session, o.frame, o.cost);
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

  /** `text`: the frame as it came (what an unrouted report shows). */
  route(frame: SessionFrame, text: string): void {
    const cost = frameCost(text);
    const session = this.#byToken.get(frame.token);
    const expected = session ? undefined : this.#expected.get(frame.token);
    if (expected) {
      expected.push({ frame, text, cost });
      this.#expectedCost += cost;
      while (expected.length > 0 && (expected.length > MAX_EXPECTED || this.#expectedCost > MAX_EXPECTED_COST)) {
        const oldest = expected.shift()!;
        this.#expectedCost -= oldest.cost;
        this.#onUnrouted(oldest.frame, oldest.text, `more than ${MAX_EXPECTED} frames or ${MAX_EXPECTED_COST / 1024 / 1024} Mi of frame cost (text and parsed values) came for a login's token before the login took it, and this was the oldest`);
      }
      return;
    }
    if (!session) {
      // Possibly for a login whose reply has not arrived yet (replies can be reordered).
      this.#orphans.push({ token: frame.token, frame, text, cost });
      this.#orphanCost += cost;
      while (this.#orphans.length > MAX_ORPHANS || this.#orphanCost > MAX_ORPHAN_COST) {
        const oldest = this.#orphans.shift()!;
        this.#orphanCost -= oldest.cost;
        this.#onUnrouted(
          oldest.frame,
          oldest.text,
          `more than ${this.#orphans.length >= MAX_ORPHANS ? `${MAX_ORPHANS} frames` : `${MAX_ORPHAN_COST / 1024 / 1024} Mi of frame cost (text and parsed values)`} for tokens no session holds were waiting, and this was the oldest`,
        );
      }
      return;
    }
    this.#deliver(session, frame, cost);
  }

  /**
   * A state frame for `token` that could not be read (the client reports it as an `error` event):
   * its session hears of it now, or when a login reply binds the token, so that a login timing
   * out can name it.
   */
  unreadableState(token: string, error: TradeApiError): void {
    const session = this.#byToken.get(token);
    if (session) return driveSession.onUnreadableState(session, error);
    this.#unreadable.delete(token);
    this.#unreadable.set(token, error);
    if (this.#unreadable.size > MAX_ORPHANS) this.#unreadable.delete(this.#unreadable.keys().next().value!);
  }

  #deliver(session: QuantWsSession, frame: SessionFrame, chars: number): void {
    if (frame.kind === "state") this.#onState(session, frame);
    else driveSession.onNotify(session, frame.topic, frame.frame.data, chars);
  }

  /** The frames held for `token` in the queue of unknown tokens, taken out of it (in order). */
  #takeOrphans(token: string): Array<{ frame: SessionFrame; text: string; cost: number }> {
    if (!this.#orphans.some((o) => o.token === token)) return [];
    const mine = this.#orphans.filter((o) => o.token === token);
    this.#orphans = this.#orphans.filter((o) => o.token !== token);
    this.#orphanCost = this.#orphans.reduce((n, o) => n + o.cost, 0);
    return mine;
  }

  /** The frames held for an expected `token`, taken out (none when it is not expected). */
  #takeExpected(token: string): Array<{ frame: SessionFrame; text: string; cost: number }> {
    const held = this.#expected.get(token)?.take() ?? [];
    this.#expected.delete(token);
    for (const o of held) this.#expectedCost -= o.cost;
    return held;
  }

  /** Report every held frame as not delivered, `why` (the socket dropped, the client closed), and forget them. */
  clearOrphans(why: string): void {
    const held = [...this.#orphans, ...[...this.#expected.values()].flatMap((f) => f.toArray())];
    this.#orphans = [];
    this.#orphanCost = 0;
    this.#expected.clear();
    this.#expectedCost = 0;
    this.#unreadable.clear();
    for (const o of held) this.#onUnrouted(o.frame, o.text, why);
  }

  /**
   * The socket dropped: every session, logged in or logging in, hears of it once, and every
   * token is forgotten (tokens of a closed socket mean nothing on the next one: a gateway that
   * hands a re-login the same token sends its READY before the login reply binds it again, and
   * it is held until then, not delivered to the session as it was).
   */
  socketDown(error: TradeApiError): void {
    for (const s of this.sessions) driveSession.socketDown(s, error);
    for (const s of this.#byToken.values()) if (!this.sessions.has(s)) driveSession.socketDown(s, error);
    this.#byToken.clear();
    this.#unreadable.clear();
  }

  /** Every session, logged in or logging in (close()). */
  all(): QuantWsSession[] {
    return [...this.sessions, ...this.#byToken.values()];
  }
}

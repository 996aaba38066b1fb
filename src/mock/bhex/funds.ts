/**
 * The BHEX emulator's balances (account/balance), per user and token, exact. Without the
 * `balances` option each known user holds DEFAULT_FREE of every token (the vendor's example
 * answer, 0.044 USDT free, would refuse any order); with it, the tokens and free amounts it
 * names, any other token 0. An order freezes what it could spend (free → locked), a cancel
 * gives it back; there is no matching engine, so nothing fills. finance/lock and the batch
 * lock tasks keep their locked amounts apart (lock_record): they move no balance here, and
 * `position` (锁仓) stays 0.
 */
import { DEC_ZERO, decAdd, decBelow, decMinus, decOf, decText, decTimes, type Dec } from "../decimal-text.js";

export interface Holding {
  free: Dec;
  /** 冻结 + 锁仓: what open orders froze. */
  locked: Dec;
  /** 锁仓: 0 (finance/lock does not move balances, see the file comment). */
  position: Dec;
}

/** `BTCUSDT` → [BTC, USDT]: the quote is USDT, BTC or ETH (as the order views name them), USDT when none ends the symbol. */
export function tokensOf(symbolId: string): [base: string, quote: string] {
  const quote = /USDT$|BTC$|ETH$/.exec(symbolId)?.[0] ?? "USDT";
  return [symbolId.endsWith(quote) ? symbolId.slice(0, -quote.length) : symbolId, quote];
}

/** Most tokens one user holds (each order's symbol names two). */
export const MAX_BHEX_TOKENS = 1_000;
/** What each token holds free at the start without the `balances` option. */
export const DEFAULT_FREE = "1000000";
/** The tokens account/balance lists before any order touched another (the vendor's example answer's). */
const LISTED = ["BTC", "ETH", "USDT"];

export class BhexFunds {
  private readonly byUser = new Map<string, Map<string, Holding>>();
  private readonly start: ReadonlyMap<string, Dec>;

  /** `balances`: each token's free amount (decimal text) to start with, nothing locked; default DEFAULT_FREE of every token. */
  constructor(private readonly balances?: Readonly<Record<string, string>>) {
    this.start = new Map(balances ? Object.entries(balances).map(([t, free]) => [t, decOf(free)]) : LISTED.map((t) => [t, decOf(DEFAULT_FREE)]));
  }

  /** A known user's holdings (the users are the emulator's known ones, a bounded list). */
  private of(user: string): Map<string, Holding> {
    let mine = this.byUser.get(user);
    if (!mine) {
      mine = new Map([...this.start].map(([t, free]) => [t, { free, locked: DEC_ZERO, position: DEC_ZERO }]));
      this.byUser.set(user, mine);
    }
    return mine;
  }
  /** What a token not held yet holds free: DEFAULT_FREE without the `balances` option, else 0. */
  private get unlisted(): Dec {
    return this.balances ? DEC_ZERO : decOf(DEFAULT_FREE);
  }
  /** A user's holding of `token` (a token not held yet starts at `unlisted`). */
  private holding(user: string, token: string): Holding {
    const mine = this.of(user);
    let h = mine.get(token);
    if (!h) {
      h = { free: this.unlisted, locked: DEC_ZERO, position: DEC_ZERO };
      // (a token name comes from an order's symbol: at most 64 characters, MAX_BHEX_TOKENS a user)
      mine.set(token, h);
    }
    return h;
  }
  /** Can `user` hold `token` (at most MAX_BHEX_TOKENS tokens a user: an order's symbol is request text)? */
  canHold(user: string, token: string): boolean {
    const mine = this.of(user);
    return mine.has(token) || mine.size < MAX_BHEX_TOKENS;
  }
  free(user: string, token: string): Dec {
    return this.of(user).get(token)?.free ?? this.unlisted;
  }
  /** Moves `amount` from free to locked; false (nothing changed) when less is free. */
  freeze(user: string, token: string, amount: Dec): boolean {
    if (decBelow(this.free(user, token), amount)) return false;
    const h = this.holding(user, token);
    h.free = decMinus(h.free, amount);
    h.locked = decAdd(h.locked, amount);
    return true;
  }
  /** Gives back what `freeze` took. */
  release(user: string, token: string, amount: Dec): void {
    const h = this.holding(user, token);
    h.free = decAdd(h.free, amount);
    h.locked = decMinus(h.locked, amount);
  }
  /** account/balance's records: every token the user holds, or those `tokenIds` names (comma-separated). */
  view(user: string, tokenIds: string | undefined): Array<Record<string, string>> {
    const wanted = tokenIds ? new Set(tokenIds.split(",").map((t) => t.trim())) : undefined;
    return [...this.of(user)]
      .filter(([t]) => !wanted || wanted.has(t))
      .map(([t, h]) => ({ tokenId: t, tokenName: t, total: decText(decAdd(h.free, h.locked)), free: decText(h.free), locked: decText(h.locked), position: decText(h.position) }));
  }
}

/**
 * What an order freezes: a BUY its price × quantity of the quote token, a SELL its quantity of
 * the base token. A market BUY has no price: the vendor's document does not say what its
 * quantity counts, and the emulator freezes it as an amount of the quote token.
 */
export function orderFreeze(o: { symbolId: string; side: string; type: string; price: string; quantity: string }): [token: string, amount: Dec] {
  const [base, quote] = tokensOf(o.symbolId);
  if (o.side !== "buy") return [base, decOf(o.quantity)];
  return [quote, o.type === "market" ? decOf(o.quantity) : decTimes(decOf(o.price), decOf(o.quantity))];
}

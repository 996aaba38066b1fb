/**
 * The Xele emulator's investor funds (getInvestorFunds), which a passed cash in/out record
 * moves: they start as the vendor's example answer, and an audit that passes (status 1) a
 * deposit (direction "1", 入金) credits `available`, `static_balance` and `dynamic_rights`
 * and adds to `cash_in`; a withdrawal ("2", 出金) debits the same three and adds to
 * `cash_out` (the spec follows the field names, cash_in = deposits, where the vendor's
 * document labels cash_in 出金 and cash_out 入金: its Decisions). Nothing else is recomputed
 * (risk, margins). Arithmetic is exact on the decimals' text.
 */
import { decAdd, decBelow, decMinus, decOf, decText, DEC_ZERO, ExactDecimal, type Dec } from "../decimal-text.js";
import { fail, type Json } from "./replies.js";
import { MAX_XELE_RECORDS, type XeleState } from "./state.js";
import type { MockReply } from "../http-mock.js";

/** Decimals of an amount the vendor's document types N8.4. */
const AMOUNT_DECIMALS = 4;

/** A JSON number's exact value (the parser gives a number, or a bigint past 2^53), or undefined for anything else. */
function decOfValue(v: unknown): Dec | undefined {
  if (v instanceof ExactDecimal) return decOf(v.text);
  if (typeof v === "bigint") return decOf(v.toString());
  return typeof v === "number" && Number.isFinite(v) ? decOf(String(v)) : undefined;
}

/**
 * Why `amount` cannot be a cash in/out amount (N8.4: at most 4 decimals), or undefined when it
 * can. The vendor's document answers a value it does not take with 116 (请求中存在非法字段值).
 */
export function badAmount(amount: unknown): MockReply | undefined {
  const d = decOfValue(amount);
  if (d === undefined) return fail(116, "amount is no number");
  if (d.exp < -AMOUNT_DECIMALS) return fail(116, `amount ${decText(d)} has more than the ${AMOUNT_DECIMALS} decimals of N8.4`);
  return undefined;
}

/** The funds row of `investor`: a new one, every amount 0, for an investor the emulator has none of (a deposit opens it). */
function fundsOf(st: XeleState, investor: string, open: boolean): Json | undefined {
  const found = st.funds.find((r) => r.investor_id === investor);
  if (found || !open || st.funds.length >= MAX_XELE_RECORDS) return found;
  const template = st.funds[0] ?? {};
  const row: Json = Object.fromEntries(Object.entries(template).map(([k, v]) => [k, typeof v === "number" || v instanceof ExactDecimal ? 0 : v]));
  Object.assign(row, { investor_id: investor, investor_name: "" });
  st.funds.push(row);
  return row;
}

const field = (row: Json, name: string): Dec => decOfValue(row[name]) ?? DEC_ZERO;
// Kept and answered exactly (a double lost a deposit of 0.0001 on 5,000,000,000,000, answering
// success): a JSON number of the sum's digits.
const setField = (row: Json, name: string, d: Dec): void => {
  row[name] = new ExactDecimal(decText(d));
};

/**
 * Move the funds a passed record says: undefined once done, or the refusal (nothing changed):
 * a withdrawal beyond `available` is 118 (出金失败), a deposit for one investor past the
 * emulator's MAX_XELE_RECORDS 119 (入金失败).
 */
export function applyCash(st: XeleState, rec: Json): MockReply | undefined {
  const investor = String(rec.investor_id);
  const amount = decOfValue(rec.amount) ?? DEC_ZERO;
  const deposit = rec.direction === "1";
  const row = fundsOf(st, investor, deposit);
  if (!row) return fail(deposit ? 119 : 118, `no funds of investor ${investor}`);
  if (!deposit && decBelow(field(row, "available"), amount)) {
    return fail(118, `investor ${investor} has ${decText(field(row, "available"))} available, the withdrawal is ${decText(amount)}`);
  }
  const move = (a: Dec) => (deposit ? decAdd(a, amount) : decMinus(a, amount));
  for (const name of ["available", "static_balance", "dynamic_rights"]) setField(row, name, move(field(row, name)));
  const total = deposit ? "cash_in" : "cash_out";
  setField(row, total, decAdd(field(row, total), amount));
  return undefined;
}

/**
 * The Xele emulator's operations: login, the write operations over XeleState, the "|" row
 * queries, and every other list query answering its example's records that it selects.
 */
import { randomBytes } from "node:crypto";
import { meta } from "../../../generated/xele-mgmt.docs.js";
import type { operations } from "../../../generated/xele-mgmt.js";
import { envelopeOf } from "../../handwritten/core/meta.js";
import { trimValue } from "../../handwritten/xele/counter-version.js";
import { pipeRowsOf } from "../../handwritten/xele/spec-info.js";
import { bindHandlers, type StateHandler } from "../bind-handlers.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { pageRows, paginationOf } from "../query-rows.js";
import { fail, nowText, ok, OK_MSG, opById, reply, resultOf, synced, type Json } from "./replies.js";
import { ALARM_FIELDS, ALARMS, checkAllFixedRows, filterOf, headerLine, HISTORY, ordersAnswer, pipeReply, POSITIONS, RATES, selectLines } from "./rows.js";
import { MAX_XELE_RECORDS, type XeleState } from "./state.js";
import { applyCash, badAmount } from "./funds.js";

type Handler = StateHandler<XeleState>;

const login: Handler = (st, req) => {
  const body = st.requestOf(req) ?? {};
  if (body.username !== st.username || body.password !== st.password) return fail(114, "wrong user name or password");
  const ticket = randomBytes(16).toString("hex");
  st.addToken(ticket, Date.now() + st.settings.tokenTtlMs);
  st.stats.logins++;
  return reply({ code: 0, msg: OK_MSG, ticket, username: st.username });
};

// ---- cash in/out, front controls, auth codes ----

const createCashInOut: Handler = (st, req) => {
  const d = st.dataOf(req);
  const refused = badAmount(d.amount);
  if (refused) return refused;
  const unique_id = ++st.lastCashId;
  st.cash.push({ unique_id, investor_name: "", operator: "", ...d, status: 0, update_time: nowText() });
  if (st.cash.length > MAX_XELE_RECORDS) st.cash.splice(0, st.cash.length - MAX_XELE_RECORDS);
  return ok();
};
/**
 * An audit decides a record waiting for one (status 0, 待审核): it passes it (1, 已通过) or
 * refuses it (2, 不通过). Failed (3) and synchronised (4) are the counter's own outcomes, and a
 * record decided once stays decided (106, 修改失败; 116 for a status an audit cannot give).
 * Passing moves the investor's funds (xele/funds.ts); a withdrawal beyond what is available
 * is refused (118, 出金失败) and the record stays waiting.
 */
const auditCashInOut: Handler = (st, req) => {
  const d = st.dataOf(req);
  const rec = st.cash.find((r) => r.unique_id === Number(d.unique_id));
  if (!rec) return fail(106, `no record ${String(d.unique_id)}`);
  if (d.status !== 1 && d.status !== 2) return fail(116, `an audit passes (1) or refuses (2) a record, got status ${JSON.stringify(d.status)}`);
  if (rec.status !== 0) return fail(106, `record ${String(d.unique_id)} was audited already (status ${String(rec.status)})`);
  const refused = d.status === 1 ? applyCash(st, rec) : undefined;
  if (refused) return refused;
  rec.status = d.status;
  rec.update_time = nowText();
  return ok();
};
/**
 * Every item's seat is found before any is changed: a request refused (110, a seat unknown)
 * changes nothing (the items before the unknown one were applied, though the answer said it failed).
 */
const updateFrontControls: Handler = (st, req) => {
  const changes: Array<[Json, Json]> = [];
  for (const item of st.arrayDataOf(req)) {
    const f = st.fronts.find((x) => x.exchange_id === item.exchange_id && x.seat_index === item.seat_index);
    if (!f) return fail(110, `${String(item.exchange_id)} seat ${String(item.seat_index)}`);
    changes.push([f, item]);
  }
  const now = nowText();
  for (const [f, item] of changes) Object.assign(f, item, { update_time: now });
  return ok();
};
const createAuthCode: Handler = (st, req) => {
  const d = st.dataOf(req);
  const unique_id = ++st.lastAuthCodeId;
  st.authCodes.push({ unique_id, ...d, update_time: nowText() });
  if (st.authCodes.length > MAX_XELE_RECORDS) st.authCodes.splice(0, st.authCodes.length - MAX_XELE_RECORDS);
  return ok();
};
const updateAuthCode: Handler = (st, req) => {
  const d = st.dataOf(req);
  const rec = st.authCodes.find((r) => r.unique_id === Number(d.unique_id));
  if (!rec) return fail(106, `no auth code ${String(d.unique_id)}`);
  Object.assign(rec, d, { update_time: nowText() });
  return ok();
};
const deleteAuthCode: Handler = (st, req) => {
  const i = st.authCodes.findIndex((r) => r.unique_id === Number(st.dataOf(req).unique_id));
  if (i < 0) return fail(113, `no auth code ${String(st.dataOf(req).unique_id)}`);
  st.authCodes.splice(i, 1);
  return ok();
};

// ---- templates ----

/** `d`'s members but `names` (alarm configs have no sync_flag: reading one they do not declare is an emulator error). */
function without(d: Json, ...names: string[]): Json {
  return Object.fromEntries(Object.entries(d).filter(([k]) => !names.includes(k)));
}

function templateHandlers(pick: (st: XeleState) => Map<string, Json>, prefix: "Trade" | "Risk" | "Alarm", getId: string): Record<string, Handler> {
  const noun = `${prefix}${prefix === "Alarm" ? "Config" : "Template"}`;
  return {
    [getId]: (st) => ok([...pick(st).values()]),
    [`create${noun}`]: (st, req) => {
      const store = pick(st);
      const t = without(st.dataOf(req), "sync_flag");
      if (store.has(String(t.templ))) return fail(112, `template ${String(t.templ)} exists`);
      if (store.size >= MAX_XELE_RECORDS) return fail(112, `at most ${MAX_XELE_RECORDS} templates`);
      store.set(String(t.templ), t);
      return synced();
    },
    [`update${noun}`]: (st, req) => {
      const store = pick(st);
      const d = st.dataOf(req);
      const t = without(d, "sync_flag", "templ_new");
      const templ_new = d.templ_new;
      const name = String(t.templ);
      if (!store.has(name)) return fail(106, `no template ${name}`);
      const renamed = typeof templ_new === "string" && templ_new !== "" ? templ_new : name;
      // (a rename onto another template's name replaced it: refused, as creating one is)
      if (renamed !== name && store.has(renamed)) return fail(112, `template ${renamed} exists`);
      store.delete(name);
      store.set(renamed, { ...t, templ: renamed });
      return synced();
    },
    [`delete${noun}`]: (st, req) => {
      const name = String(st.dataOf(req).templ);
      return pick(st).delete(name) ? synced() : fail(113, `no template ${name}`);
    },
  };
}

// ---- "|" rows ----

const exportClientSystemInfo: Handler = (st, req) => {
  const day = String(st.dataOf(req).trading_day);
  if (day === "19700101") return pipeReply(st, "");
  return pipeReply(
    st,
    [
      `clientinfo${day}.txt`,
      `777001|client_app_1.0|Windows 10|00:1A:2B:3C:4D:5E|192.168.2.58|${day} 09:00:01`,
      `777002|李四的终端, "v2"|Linux 5.15|00:1A:2B:3C:4D:5F|192.168.2.59|${day} 09:00:02`,
    ].join("\n"),
  );
};
const getPositions: Handler = (st, req) => {
  const cols = pipeRowsOf(opById("getPositions"))!.columns.map((c) => c.name);
  const rows = selectLines(st, req, POSITIONS);
  return pipeReply(st, [headerLine("PosiQry", cols, rows.length), ...rows].join("\n"));
};
const getAlarmRecords: Handler = (st, req) => {
  const rows = selectLines(st, req, ALARMS);
  return pipeReply(st, [headerLine("PrcAlarmQry", ALARM_FIELDS, rows.length), ...rows].join("\n"));
};

/** Handlers by operationId: only operations the spec has (a dropped one is a compile error). */
export type XeleHandlerTable = Partial<Record<keyof operations, Handler>>;

const HANDLERS: XeleHandlerTable = {
  login,
  getCashInOut: (st, req) => ok(st.cash.filter(filterOf(st, req, Object.keys(st.cash[0] ?? { investor_id: "" })))),
  createCashInOut,
  auditCashInOut,
  getInvestorFunds: (st, req) => ok(pageRows(st.funds.filter(filterOf(st, req, Object.keys(st.funds[0] ?? { investor_id: "" }))), st.dataOf(req), paginationOf(req.op)).rows),
  getFrontControls: (st, req) => ok(st.fronts.filter(filterOf(st, req, Object.keys(st.fronts[0] ?? {})))),
  updateFrontControls,
  exportClientSystemInfo,
  getPositions,
  getInvestorRates: (st, req) => pipeReply(st, selectLines(st, req, RATES).join("\n")),
  getOrderHistory: (st) => pipeReply(st, HISTORY.join("\n")),
  queryOrders: ordersAnswer,
  getAlarmRecords,
  getAuthCodes: (st) => ok(st.authCodes),
  createAuthCode,
  updateAuthCode,
  deleteAuthCode,
  ...templateHandlers((st) => st.templates.trade, "Trade", "getTradeTemplates"),
  ...templateHandlers((st) => st.templates.risk, "Risk", "getRiskTemplates"),
  ...templateHandlers((st) => st.templates.alarm, "Alarm", "getAlarmConfigs"),
};

/** The emulator's handlers over one state (both servers share them; each routes only its own). */
export function xeleHandlers(st: XeleState): Record<string, (req: MockRequest) => MockReply> {
  // (a fixed row that does not fit the spec's columns: refused here, before an answer is shifted)
  checkAllFixedRows();
  const handlers = bindHandlers(HANDLERS, st);
  // Every other query whose answer is a list of records answers its example's records that
  // its conditions select (read-only data: the spec's example is all the emulator knows).
  for (const op of meta.operations) {
    if (handlers[op.operationId] || op.method !== "GET" || pipeRowsOf(op)) continue;
    const records = resultOf(op);
    if (records.length === 0 || typeof records[0] !== "object") continue;
    const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
    handlers[op.operationId] = (req) => ok(pageRows(records.filter(filterOf(st, req, columns)), st.dataOf(req), paginationOf(req.op)).rows);
  }
  // A JSON answer carries only the fields of the emulated counter's version (x-since).
  for (const op of meta.operations) {
    const handler = handlers[op.operationId];
    const schema = op.dataSchema;
    // (`result`, or `comment` for the template writes)
    const field = envelopeOf(meta, op)?.dataField;
    if (!handler || !schema || !field) continue;
    handlers[op.operationId] = (req) => {
      const answer = handler(req);
      const body = answer.body as Json | undefined;
      if (!body || typeof body !== "object" || body[field] === undefined) return answer;
      const data = trimValue(body[field], schema, st.settings.counterVersion);
      return data === body[field] ? answer : { ...answer, body: { ...body, [field]: data } };
    };
  }
  return handlers;
}

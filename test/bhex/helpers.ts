/** Shared pieces of the BHEX tests: an example-answering responder, an independent signature check, plausible params. */
import { createHmac } from "node:crypto";
import { meta } from "../../generated/bhex-org.docs.js";
import { encodeBatchItems, type BhexBatchOperationId, type BhexBatchRows } from "../../src/handwritten/bhex/items.js";
import type { OperationMeta, SchemaMeta } from "../../src/handwritten/core/meta.js";
import { buildXlsx } from "../../src/mock/xlsx.js";
import type { Recorded } from "../helpers/recording-fetch.js";

export const KEYS = { accessKey: "ak-bhex-test", secretKey: "sk-bhex-test-secret" };
export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const SAMPLE_XLSX = buildXlsx([["a", "b"], ["410722994621856001", "x"]]);

/** The operation a recorded request was for (by path: allAsPost sends GETs as POST). */
export function opOf(req: Recorded): OperationMeta | undefined {
  return meta.operations.find((o) => o.path === req.url.pathname);
}

/** Answer every request with the spec's 200 example of its operation (the .xlsx for download_data). */
export function exampleResponder(req: Recorded): Response {
  const op = opOf(req);
  if (!op) return new Response(JSON.stringify({ code: 404, msg: "no such path" }), { status: 404, headers: { "content-type": "application/json" } });
  const r = op.responses["200"]!;
  if (r.contentType === XLSX_TYPE) return new Response(SAMPLE_XLSX as Uint8Array<ArrayBuffer>, { headers: { "content-type": XLSX_TYPE } });
  return new Response(r.example ?? "{}", { headers: { "content-type": "application/json" } });
}

/** Every parameter pair that was sent: query and form body. */
export function sentPairs(req: Recorded): { query: Array<[string, string]>; form: Array<[string, string]> } {
  const query = [...req.url.searchParams.entries()];
  const form = /x-www-form-urlencoded/.test(req.headers["content-type"] ?? "") ? [...new URLSearchParams(req.body).entries()] : [];
  return { query, form };
}

/**
 * Recompute the signature over what went over the wire, without the library's signer:
 * sort by name (code-unit order = ASCII), k=v with raw values, HMAC-SHA256 hex.
 */
export function verifySignature(req: Recorded, secret = KEYS.secretKey): boolean {
  const { query, form } = sentPairs(req);
  const all = [...query, ...form];
  const sigs = all.filter(([k]) => k === "signature").map(([, v]) => v);
  if (sigs.length !== 1) return false;
  const text = all
    .filter(([k]) => k !== "signature")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  return createHmac("sha256", secret).update(text, "utf8").digest("hex") === sigs[0];
}

/** A row per batch operation, in both forms' reach (no commas). */
export const SAMPLE_ROWS: { [K in BhexBatchOperationId]: Array<BhexBatchRows[K]> } = {
  userBatchUpdateUserKycInfo: [{ user_id: 83521968678633472n, first_name: "梁中", last_name: null, country_code: "CN", card_no: "309328439232", card_type: 3, verify_status: 2 }],
  financeBatchTransfer: [{ source_user_id: "231215678785585152", target_user_id: "83214971450163200", token_id: "BTC", amount: "100.5", business_subject: 70, sub_business_subject: 101 }],
  financeAirDrop: [{ target_user_id: "83214971450163200", token_id: "BTC", amount: "0.005", to_target_lock: true }],
  financeBatchLockPosition: [{ user_id: "83214971450163200", token_id: "BTC", amount: "0.005", desc: "activity lock" }],
  financeBatchUnlockPosition: [{ user_id: "231215678785585152", token_id: "USDT", amount: "0.5" }],
};

function types(s: SchemaMeta): string[] {
  return ([] as string[]).concat(s.type ?? []);
}

/** A plausible value for a parameter from its schema (int64 IDs above 2^53 as bigints). */
export function plausibleValue(op: OperationMeta, name: string, s: SchemaMeta): unknown {
  if (name === "items") {
    const form = s.itemsForms?.includes("simple") ? "simple" : "json";
    return encodeBatchItems(op.operationId as BhexBatchOperationId, SAMPLE_ROWS[op.operationId as BhexBatchOperationId] as never, form);
  }
  if (name === "data_type") return op.body?.properties.items?.itemsForms?.includes("simple") ? "simple" : "json";
  if (s.enum) return s.enum[0];
  if (s.contentMediaType === "application/json") return '{"pay_type":"PAY","token_id":"BTC","amount":"0.1575"}';
  if (s.format === "date") return "2019-07-20";
  if (s.format === "decimal") return "0.1575";
  const t = types(s);
  if (t.includes("integer")) return s.format === "int64" ? 217235926081077248n + BigInt(name.length) : 1;
  if (t.includes("number")) return "1.5";
  if (t.includes("boolean")) return true;
  if (s.pattern && !new RegExp(s.pattern).test("v1")) return "1234567890";
  return `${name}-v1`;
}

/** Required params (and the first of each one-of group), with plausible values; the idempotency key left out. */
export function plausibleParams(op: OperationMeta, opts: { withIdempotencyKey?: boolean } = {}): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const idem = op.idempotencyKey;
  for (const p of op.params) if (p.required) params[p.name] = plausibleValue(op, p.name, p.schema);
  for (const name of op.body?.required ?? []) params[name] = plausibleValue(op, name, op.body!.properties[name]!);
  for (const group of op.requiredOneOf ?? []) {
    const first = group[0]!;
    const schema = op.params.find((p) => p.name === first)?.schema ?? op.body?.properties[first];
    params[first] = plausibleValue(op, first, schema!);
  }
  if (idem && !opts.withIdempotencyKey) delete params[idem];
  return params;
}

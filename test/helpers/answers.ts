/**
 * Answers that fit the specs' schemas (the client refuses one that does not, at any depth), for
 * tests whose subject is something else: the vendor doc's own examples, with the fields a test
 * cares about put in.
 */
import type { ApiDocMeta } from "../../src/handwritten/core/meta.js";

/** XT's order record (getOrder's `data`) as JSON text, `id` a bare number written as given. */
export const xtOrderJson = (id: string | number | bigint = 156293034776987, status = 3): string =>
  `{"number":"0.002000","price":"5000.00","avgPrice":"0.00","id":${id},"time":1562930348000,"type":1,"status":${status},"completeNumber":"0.000000","completeMoney":"0.00","entrustType":0,"fee":"0.00"}`;

/** XT's success envelope around `dataJson`. */
export const xtOk = (dataJson: string): string => `{"code":200,"info":"success","data":${dataJson}}`;

/** The spec's own example of an operation's answer (exact JSON text), from the docs metadata. */
export function specExample(docs: ApiDocMeta, operationId: string, status = "200"): string {
  const example = docs.operations.find((o) => o.operationId === operationId)?.responses[status]?.example;
  if (typeof example !== "string") throw new Error(`${docs.api} ${operationId}: no ${status} example in the spec`);
  return example;
}

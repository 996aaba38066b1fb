/** Which of an XT operation's fields are base64 (not exported from the package). */
import type { OperationMeta } from "../core/meta.js";

/**
 * The base64 fields of an operation (the batch `data`: the spec's `contentEncoding`), body
 * fields first: XT's doc signs their decoded text; the batch answer check counts their items.
 */
export function base64Fields(op: OperationMeta): string[] {
  let names = BASE64_FIELDS.get(op);
  if (!names) {
    const body = Object.entries(op.body?.properties ?? {}).filter(([, schema]) => schema.contentEncoding === "base64").map(([name]) => name);
    names = [...body, ...op.params.filter((p) => p.schema.contentEncoding === "base64").map((p) => p.name)];
    BASE64_FIELDS.set(op, names);
  }
  return names;
}
/** base64Fields per operation, worked out once (every signed call asks). */
const BASE64_FIELDS = new WeakMap<OperationMeta, string[]>();

/**
 * The XT emulator's parameter check, from the spec: a required parameter missing or empty, or a
 * value its schema refuses (an enum, a range, an integer given "abc"), is a 400 naming it before
 * any handler reads it, as the vendor's server refuses a request its parameter tables forbid.
 * (A withdrawal without `safePwd`, `getFunds` for account 4 or a K-line of type "2min" were
 * answered with success.) `order` and `batchOrder` check their own, answering the vendor's
 * order codes (101, 102, 105).
 */
import type { SchemaMeta } from "../../handwritten/core/meta.js";
import { checkSchema } from "../../handwritten/core/validate.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { envelope } from "./replies.js";

const OWN_CHECKS: ReadonlySet<string> = new Set(["order", "batchOrder"]);

export function xtParamRefusal(req: MockRequest): MockReply | undefined {
  const { op } = req;
  if (OWN_CHECKS.has(op.operationId)) return undefined;
  const fields: Array<[string, SchemaMeta, boolean]> = op.params.filter((p) => p.in === "query").map((p) => [p.name, p.schema, p.required === true]);
  for (const [name, schema] of Object.entries(op.body?.properties ?? {})) fields.push([name, schema, op.body!.required.includes(name)]);
  for (const [name, schema, required] of fields) {
    const v = req.params[name];
    if (v === undefined || v === "") {
      // A required parameter with a stated default (page, pageSize, since) takes it.
      if (required && schema.default === undefined) return envelope(400, `parameter ${name} is required`);
      continue;
    }
    const [problem] = checkSchema(v, schema, name, { text: true, max: 1, label: (p) => `parameter ${p}` });
    if (problem) return envelope(400, problem.message);
  }
  return undefined;
}

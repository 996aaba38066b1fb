/**
 * The XT emulator's parameter check, from the spec: a required parameter missing or empty, or a
 * value its schema refuses (an enum, a range, an integer given "abc"), is a 400 naming it before
 * any handler reads it, as the vendor's server refuses a request its parameter tables forbid.
 * (A withdrawal without `safePwd`, `getFunds` for account 4 or a K-line of type "2min" were
 * answered with success.) `order` and `batchOrder` check their own, answering the vendor's
 * order codes (101, 102, 105).
 */
import type { MockReply, MockRequest } from "../http-mock.js";
import { missingParams, valueProblem } from "../params.js";
import { envelope } from "./replies.js";

const OWN_CHECKS: ReadonlySet<string> = new Set(["order", "batchOrder"]);

export function xtParamRefusal(req: MockRequest): MockReply | undefined {
  if (OWN_CHECKS.has(req.op.operationId)) return undefined;
  const problem = valueProblem(req);
  if (problem) return envelope(400, problem);
  const [lack] = missingParams(req);
  return lack === undefined ? undefined : envelope(400, `parameter ${lack} is required`);
}

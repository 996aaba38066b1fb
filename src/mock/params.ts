/**
 * The emulators' parameter check, read from the spec: what a vendor's server refuses before any
 * of its handlers runs. The XT and BHEX emulators answer `valueProblem`'s message and the names
 * `missingParams` gives in their own envelopes; Hubi's answers ILLEGAL_ARGUMENT for a missing one
 * (its value checks carry the vendor's codes per field). One reading for all three: a required
 * parameter with a stated default takes it; "" is no value (a Java server's optional `Long`
 * given "" is null); a value is checked as the wire's text (an integer given "abc", a K-line
 * type "2min", text over its maxLength).
 */
import { quoted } from "../handwritten/core/errors.js";
import type { OperationMeta, SchemaMeta } from "../handwritten/core/meta.js";
import { characters, checkSchema } from "../handwritten/core/validate.js";
import { beyondInt64 } from "./decimal-text.js";
import type { MockRequest } from "./http-mock.js";

interface Declared {
  readonly name: string;
  readonly schema: SchemaMeta;
  readonly required: boolean;
}

const DECLARED = new WeakMap<OperationMeta, readonly Declared[]>();

/** The query, path and form/JSON-body parameters the operation declares (headers are the signature's), listed once per operation. */
function declared(req: MockRequest): readonly Declared[] {
  const known = DECLARED.get(req.op);
  if (known) return known;
  const out: Declared[] = req.op.params.filter((p) => p.in === "query" || p.in === "path").map((p) => ({ name: p.name, schema: p.schema, required: p.required }));
  const body = req.op.body;
  for (const [name, schema] of Object.entries(body?.properties ?? {})) out.push({ name, schema, required: body!.required.includes(name) });
  DECLARED.set(req.op, out);
  return out;
}

const given = (v: string | undefined): v is string => v !== undefined && v !== "";

/** Required parameters the request lacks or gives as "", in the spec's order. */
export function missingParams(req: MockRequest): string[] {
  return declared(req)
    .filter((d) => d.required && d.schema.default === undefined && !given(req.params[d.name]))
    .map((d) => d.name);
}

/** Is `v` longer than `max` characters (code points; counted only when it might be)? */
const longerThan = (v: string, max: number): boolean => v.length > 2 * max || (v.length > max && characters(v) > max);

/**
 * The first given value its schema refuses, as a message naming the parameter. The cheap
 * tests come first: integer text beyond an int64 (a 600,000-digit user_id made BigInts for
 * seconds) and text over maxLength are refused before the schema check reads them.
 */
export function valueProblem(req: MockRequest): string | undefined {
  for (const { name, schema } of declared(req)) {
    const v = req.params[name];
    if (!given(v)) continue;
    if (schema.type === "integer" && !/^-?\d+$/.test(v)) return `parameter ${name} must be an integer, got ${JSON.stringify(v.slice(0, 40))}`;
    if (schema.type === "integer" && beyondInt64(v)) return `parameter ${name} must be an integer of at most 64 bits`;
    if (schema.maxLength !== undefined && longerThan(v, schema.maxLength)) return `parameter ${name} longer than ${schema.maxLength} characters`;
    const [problem] = checkSchema(v, schema, name, { text: true, max: 1, label: (p) => `parameter ${p}` });
    if (problem) return problem.message;
  }
  return undefined;
}

/**
 * The first name the request gives more than once (query and form together), or undefined.
 * The emulators read a name's last value (MockRequest.params, which the signature check reads
 * too) and a Java server's getParameter() its first: a signed request with an unsigned copy of
 * a signed parameter before it would be checked on one value and, by such a server, acted on
 * with the other. Hubi's emulator refuses it in its own way (the names signed must be the names sent).
 */
export function nameGivenTwice(req: MockRequest): string | undefined {
  const seen = new Set<string>();
  for (const pairs of [req.query, req.form]) {
    for (const [name] of pairs) {
      if (seen.has(name)) return name;
      seen.add(name);
    }
  }
  return undefined;
}

/** What the XT and BHEX emulators say of nameGivenTwice's name. */
export const givenTwice = (name: string): string => `parameter ${quoted(name)} given twice: the signature covers one value of each`;

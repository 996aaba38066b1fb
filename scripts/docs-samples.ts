/**
 * Code samples per operation, made from the spec at docs build time (scripts/build-docs.ts puts
 * them in the bundled copy as Redoc `x-codeSamples`, on the WebSocket page as markdown after the
 * description; specs/ is never written):
 *
 * - the typed client: `client.call("<operationId>", { <required parameters> })`
 * - the CLI: `npx tradeapi call <api> <operationId> name=value …`
 * - the openapi-fetch form: `client.GET("/path", { params: { query } })` / `client.POST(…, { body })`
 *   (for the APIs whose client is an openapi-fetch client; Xele's is not)
 * - the Quant gateway (AsyncAPI): `session.request("<op>", { … })` after connect and login, the
 *   session's events for notifications, and the CLI command for requests
 *
 * Values come from the spec: the parameter's example, else the schema's example, enum, const
 * or default, else a placeholder of the right type. A request body's example adds its optional
 * fields too (a limit order's price). test/docs-samples.test.ts writes every
 * TypeScript sample to a file and type-checks it against src/, so samples cannot rot.
 */

/** A JSON-ish value read from the spec; integers may be bigint (YAML read with intAsBigInt). */
import { parseDocument } from "yaml";
import { API_TABLE } from "../src/cli/registry.js";

type Value = unknown;
type Obj = Record<string, any>;

/** The sample languages every page offers (Redoc's `codeSamples.languages`; matched by label). */
export const SAMPLE_LANGUAGES = [
  { lang: "TypeScript", label: "call()" },
  { lang: "Shell", label: "CLI" },
  { lang: "TypeScript", label: "openapi-fetch" },
] as const;

export interface CodeSample {
  lang: "TypeScript" | "Shell";
  label: string;
  source: string;
}

/** How each API's client is made in a sample (and which env variables the CLI reads). */
interface ClientRecipe {
  importPath: string;
  factory: string;
  variable: string;
  /** Constructor options, as source text (empty: none needed). */
  options: (signed: boolean) => string;
  /** Whether the client is also an openapi-fetch client (GET/POST typed by paths). */
  openapiFetch: boolean;
}

export const CLIENTS: Record<string, ClientRecipe> = {
  xt: {
    importPath: "tradeapi/xt",
    factory: "createXtClient",
    variable: "xt",
    options: (signed) => (signed ? "{ accessKey: process.env.XT_ACCESS_KEY, secretKey: process.env.XT_SECRET_KEY, baseUrl: process.env.XT_BASE_URL }" : "{ baseUrl: process.env.XT_BASE_URL }"),
    openapiFetch: true,
  },
  hubi: {
    importPath: "tradeapi/hubi",
    factory: "createHubiClient",
    variable: "hubi",
    options: () => "{ accessKey: process.env.HUBI_ACCESS_KEY, secretKey: process.env.HUBI_SECRET_KEY, accessToken: process.env.HUBI_ACCESS_TOKEN, baseUrl: process.env.HUBI_BASE_URL }",
    openapiFetch: true,
  },
  bhex: {
    importPath: "tradeapi/bhex",
    factory: "createBhexOrgClient",
    variable: "bhex",
    options: () => "{ accessKey: process.env.BHEX_ACCESS_KEY, secretKey: process.env.BHEX_SECRET_KEY, baseUrl: process.env.BHEX_BASE_URL }",
    openapiFetch: true,
  },
  xele: {
    importPath: "tradeapi/xele",
    factory: "createXeleClient",
    variable: "xele",
    options: () => "{ maUrl: process.env.XELE_MA_URL, msUrl: process.env.XELE_MS_URL, username: process.env.XELE_USERNAME, password: process.env.XELE_PASSWORD }",
    openapiFetch: false,
  },
};

/**
 * How the samples make `api`'s client: its CLIENTS entry, else what docs/adding-an-api.md has a
 * new API do: `create<Name>Client` of `tradeapi/<name>`, an openapi-fetch client, given the
 * settings its CLI registry entry's variables fill (src/cli/registry.ts: `{ secretKey:
 * process.env.ACME_SECRET_KEY, … }`, as the CLI gives them). An API in neither is an error
 * naming both places (its pages had no code samples at all).
 */
export function clientRecipe(api: string): ClientRecipe {
  const known = CLIENTS[api];
  if (known) return known;
  const entry = API_TABLE.find((a) => a.name === api);
  if (!entry) {
    throw new Error(`docs samples: API "${api}" has no entry in src/cli/registry.ts (its environment variables: step 5 of docs/adding-an-api.md) nor in CLIENTS of scripts/docs-samples.ts`);
  }
  const variable = api.replace(/[-_]+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  const options = entry.env.map((v) => `${v.setting}: process.env.${v.name}`).join(", ");
  return {
    importPath: `tradeapi/${api}`,
    factory: `create${variable.charAt(0).toUpperCase()}${variable.slice(1)}Client`,
    variable,
    options: () => (options ? `{ ${options} }` : ""),
    openapiFetch: true,
  };
}

const METHODS = ["get", "post", "put", "delete", "patch"] as const;

/** Follow local `$ref`s (`#/components/...`) to the object they name. */
export function deref(spec: Obj, node: any, seen = new Set<string>()): any {
  while (node && typeof node === "object" && typeof node.$ref === "string") {
    const ref: string = node.$ref;
    if (!ref.startsWith("#/") || seen.has(ref)) return {};
    seen.add(ref);
    node = ref
      .slice(2)
      .split("/")
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<any>((o, k) => (o == null ? undefined : o[k]), spec);
  }
  return node ?? {};
}

function typesOf(schema: Obj): string[] {
  return ([] as string[]).concat(schema.type ?? []).filter((t) => t !== "null");
}

/** An example value for a schema: example, examples[0], const, enum[0], default, else by type. */
export function exampleOf(spec: Obj, schemaIn: any, name: string, explicit?: Value, depth = 0): Value {
  const schema = deref(spec, schemaIn);
  if (explicit !== undefined) return explicit;
  for (const v of [schema.example, Array.isArray(schema.examples) ? schema.examples[0] : undefined, schema.const, schema.enum?.[0], schema.default]) {
    if (v !== undefined && v !== null) return v;
  }
  for (const key of ["oneOf", "anyOf", "allOf"]) {
    if (Array.isArray(schema[key]) && schema[key].length) {
      const first = schema[key].map((s: any) => deref(spec, s)).find((s: Obj) => !typesOf(s).length || typesOf(s)[0] !== "null") ?? schema[key][0];
      return exampleOf(spec, first, name, undefined, depth + 1);
    }
  }
  const type = typesOf(schema)[0] ?? (schema.properties ? "object" : schema.items ? "array" : "string");
  switch (type) {
    case "integer":
      return schema.minimum !== undefined ? BigInt(Math.ceil(Number(schema.minimum))) : 1n;
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return true;
    case "array":
      return depth > 4 ? [] : [exampleOf(spec, schema.items ?? {}, name, undefined, depth + 1)];
    case "object":
      return depth > 4 ? {} : requiredObject(spec, schema, depth + 1);
    default: {
      if (schema.format === "date") return "2026-01-01";
      if (schema.format === "decimal") return "1";
      const eg = /\be\.g\.,?\s+`?([A-Za-z0-9_./:-]+?)`?[\s,;.)]/.exec(`${schema.description ?? ""} `);
      if (eg && (!schema.pattern || new RegExp(schema.pattern).test(eg[1]!))) return eg[1];
      if (schema.pattern) {
        // A value the pattern accepts: a date, digits, a decimal, a symbol.
        const re = new RegExp(schema.pattern);
        const fit = ["20260101", "2026-01-01", "1", "0.1", "BTCUSDT", "btc_usdt", "127.0.0.1", "09:30:00", "a"].find((c) => re.test(c));
        if (fit) return fit;
      }
      return `<${name}>`;
    }
  }
}

/** An object of the schema's required properties (Xele: leaving out filters with a "no condition" value). */
function requiredObject(spec: Obj, schemaIn: any, depth = 0, skipFillable = false): Obj {
  const schema = deref(spec, schemaIn);
  const out: Obj = {};
  for (const name of (schema.required ?? []) as string[]) {
    const prop = deref(spec, schema.properties?.[name] ?? {});
    if (skipFillable && (prop["x-no-condition"] !== undefined || prop.default !== undefined)) continue;
    out[name] = exampleOf(spec, prop, name, undefined, depth);
  }
  return out;
}

/** Source text of a value as a TypeScript literal (bigints beyond 2^53 as `123n`). */
export function tsLiteral(v: Value, indent = ""): string {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? String(v) : `${v}n`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => tsLiteral(x, indent)).join(", ")}]`;
  if (typeof v === "object") {
    const entries = Object.entries(v as Obj);
    if (!entries.length) return "{}";
    return `{ ${entries.map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${tsLiteral(x, indent)}`).join(", ")} }`;
  }
  return "undefined";
}

/** A top-level object literal, one property per line when one line would be long. */
export function tsBlock(v: Value, indent = ""): string {
  const flat = tsLiteral(v);
  if (flat.length <= 60 || !v || typeof v !== "object" || Array.isArray(v)) return flat;
  const inner = `${indent}  `;
  return `{\n${Object.entries(v as Obj)
    .map(([k, x]) => `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${tsBlock(x, inner)},`)
    .join("\n")}\n${indent}}`;
}

/** JSON text of a value, big integers with every digit. */
function jsonText(v: Value): string {
  if (typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.entries(v as Obj).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(",")}}`;
  return JSON.stringify(v);
}

/** One `name=value` CLI argument, shell-quoted when needed. */
export function cliArg(name: string, v: Value): string {
  const text = typeof v === "string" ? v : jsonText(v);
  const pair = `${name}=${text}`;
  return /^[\w.,:@%+=/-]+$/.test(pair) ? pair : `'${pair.replace(/'/g, `'\\''`)}'`;
}

/** The operation's required parameters, by where they go. */
export interface RequiredParams {
  query: Obj;
  path: Obj;
  body: Obj | null;
  /** Everything in one flat object, as `call()` takes it. */
  flat: Obj;
  /** Xele: the request `data` (object or array) as `call()` takes it; undefined when none. */
  data?: Value;
}

export function requiredParams(spec: Obj, api: string, op: Obj): RequiredParams {
  const query: Obj = {};
  const path: Obj = {};
  let body: Obj | null = null;
  if (api === "xele") {
    const request = deref(spec, op["x-request-schema"]);
    const dataSchema = request.properties?.data ? deref(spec, request.properties.data) : undefined;
    let data: Value;
    if (dataSchema) {
      if (typesOf(dataSchema).includes("array")) data = [requiredObject(spec, dataSchema.items ?? {}, 0, true)];
      else {
        const d = requiredObject(spec, dataSchema, 0, true);
        data = Object.keys(d).length ? d : undefined;
      }
    }
    return { query, path, body, flat: data && !Array.isArray(data) ? (data as Obj) : {}, data };
  }
  for (const p of (op.parameters ?? []).map((x: any) => deref(spec, x)) as Obj[]) {
    if (!p.required || (p.in !== "query" && p.in !== "path")) continue;
    const explicit = p.example ?? (p.examples ? deref(spec, Object.values(p.examples)[0]).value : undefined);
    (p.in === "query" ? query : path)[p.name] = exampleOf(spec, p.schema ?? {}, p.name, explicit);
  }
  const rb = op.requestBody ? deref(spec, op.requestBody) : undefined;
  if (rb?.content) {
    const media = Object.values(rb.content)[0] as Obj | undefined;
    const schema = deref(spec, media?.schema ?? {});
    const b: Obj = {};
    for (const name of (schema.required ?? []) as string[]) {
      const prop = deref(spec, schema.properties?.[name] ?? {});
      const explicit = media?.example?.[name];
      b[name] = exampleOf(spec, prop, name, explicit);
    }
    // The request's own example completes it: a limit order's price is required by its type, not by the schema.
    for (const [name, v] of Object.entries((media?.example ?? {}) as Obj)) if (!(name in b) && schema.properties?.[name] !== undefined) b[name] = v;
    if (rb.required || Object.keys(b).length) body = b;
  }
  // `x-required-one-of`: groups of which at least one must be sent; the sample sends the first.
  for (const group of (op["x-required-one-of"] ?? []) as string[][]) {
    if (group.some((n) => n in query || n in path || (body && n in body))) continue;
    const name = group[0]!;
    const p = ((op.parameters ?? []) as any[]).map((x) => deref(spec, x)).find((x: Obj) => x.name === name);
    if (p) (p.in === "path" ? path : query)[name] = exampleOf(spec, p.schema ?? {}, name, p.example);
    else {
      const media = rb?.content ? (Object.values(rb.content)[0] as Obj | undefined) : undefined;
      const prop = deref(spec, media?.schema ?? {}).properties?.[name];
      if (prop) (body ??= {})[name] = exampleOf(spec, prop, name, media?.example?.[name]);
    }
  }
  return { query, path, body, flat: { ...path, ...query, ...(body ?? {}) }, data: undefined };
}

function isSigned(spec: Obj, op: Obj): boolean {
  const security = op.security ?? spec.security ?? [];
  return security.some((s: Obj) => Object.keys(s).length > 0);
}

/** The samples of one OpenAPI operation. */
export function operationSamples(spec: Obj, api: string, method: string, path: string, op: Obj): CodeSample[] {
  const recipe = clientRecipe(api);
  const opId: string = op.operationId;
  const req = requiredParams(spec, api, op);
  // The client fills in the idempotency key (BHEX client_order_id) when it is left out.
  const callParams: Obj = { ...req.flat };
  if (typeof op["x-idempotency-key"] === "string") delete callParams[op["x-idempotency-key"]];
  const loginOp = api === "xele" && deref(spec, spec.components?.securitySchemes?.xeleToken)?.["x-login"]?.operationId === opId;
  const samples: CodeSample[] = [];
  if (recipe) {
    const options = recipe.options(isSigned(spec, op)).replace(/^\{ (.*) \}$/, (_m, body: string) => `{\n  ${body.split(", ").join(",\n  ")},\n}`);
    const head = `import { ${recipe.factory} } from "${recipe.importPath}";\n\nconst ${recipe.variable} = ${recipe.factory}(${options});\n`;
    const arg = api === "xele" ? (req.data === undefined ? "" : `, ${tsBlock(req.data)}`) : Object.keys(callParams).length ? `, ${tsBlock(callParams)}` : "";
    const call = loginOp
      ? `// The client logs in by itself on first use (and again on code 109); to log in now:\nawait ${recipe.variable}.login();\n`
      : `const result = await ${recipe.variable}.call("${opId}"${arg});\n`;
    samples.push({ lang: "TypeScript", label: "call()", source: `${head}${call}` });
    if (recipe.openapiFetch) {
      const init: string[] = [];
      const params: string[] = [];
      if (Object.keys(req.path).length) params.push(`path: ${tsBlock(req.path, "    ")}`);
      if (Object.keys(req.query).length) params.push(`query: ${tsBlock(req.query, "    ")}`);
      if (params.length) init.push(`params: {\n    ${params.join(",\n    ")},\n  }`);
      if (req.body) init.push(`body: ${tsBlock(req.body, "  ")}`);
      const M = method.toUpperCase();
      samples.push({
        lang: "TypeScript",
        label: "openapi-fetch",
        source: `${head}const { data, error } = await ${recipe.variable}.${M}("${path}"${init.length ? `, {\n  ${init.join(",\n  ")},\n}` : ""});\n`,
      });
    }
  }
  if (loginOp) return samples; // the CLI logs in by itself (XELE_USERNAME / XELE_PASSWORD)
  const cliValues: Obj = api === "xele" && Array.isArray(req.data) ? { data: req.data } : callParams;
  const args = ["npx tradeapi call", api, opId, ...Object.entries(cliValues).map(([k, v]) => cliArg(k, v))];
  // A file answer goes to a file (the CLI writes none to a terminal).
  const answerTypes = Object.keys(deref(spec, op.responses?.["200"])?.content ?? {});
  if (answerTypes.length > 0 && !answerTypes.some((t) => /json|^text\//.test(t))) args.push(`--output ${opId}.${/spreadsheetml/.test(answerTypes[0]!) ? "xlsx" : "bin"}`);
  const cli = args.join(" ").length > 80 ? `${args.slice(0, 3).join(" ")} \\\n  ${args.slice(3).join(" \\\n  ")}` : args.join(" ");
  samples.push({ lang: "Shell", label: "CLI", source: `${cli}\n` });
  return samples;
}

/** Every operation of an OpenAPI spec: [method, path, operation]. */
export function operationsOf(spec: Obj): Array<[string, string, Obj]> {
  const out: Array<[string, string, Obj]> = [];
  for (const [path, item] of Object.entries((spec.paths ?? {}) as Obj)) {
    for (const m of METHODS) if (item?.[m]) out.push([m, path, item[m]]);
  }
  return out;
}

/** A spec read with big integers kept exact (bigint) so samples and the bundled copy keep every digit. */
export function readSpec(text: string): Obj {
  return parseDocument(text, { intAsBigInt: true, merge: true }).toJS({ maxAliasCount: -1 }) as Obj;
}

const QUANT_WS_HEAD = `import { createQuantWsClient } from "tradeapi/quant-ws";

const gw = createQuantWsClient({ url: process.env.QUANT_WS_URL });
await gw.connect();
`;
const QUANT_WS_LOGIN = `const session = await gw.login({
  platform: process.env.QUANT_WS_PLATFORM ?? "okex",
  symbols: ["ETH/USDT"],
  accessKey: process.env.QUANT_WS_ACCESS_KEY ?? "",
  secretKey: process.env.QUANT_WS_SECRET_KEY ?? "",
});
`;

/** The message an AsyncAPI operation sends or receives (its first one), `$ref`s followed. */
function messageOf(spec: Obj, op: Obj): Obj {
  return deref(spec, (op.messages ?? [])[0] ?? {});
}

/**
 * The samples of one AsyncAPI operation (the Quant gateway): what the typed session does for
 * it and, for a request, the CLI command. Requests are named by their wire `op` (`x-op` of the
 * message: `place_order`), as `session.request()` and `tradeapi call quant-ws` take them; the
 * fields are the request's required ones except the `op`, `cid` and `token` the client adds.
 */
export function asyncOperationSamples(spec: Obj, api: string, id: string, op: Obj): CodeSample[] {
  const message = messageOf(spec, op);
  const wire: string | undefined = message["x-op"];
  const kind: string | undefined = message["x-kind"];
  // (each ends by closing the client: pasted as it is, a sample must not leave the process running)
  const ts = (body: string): CodeSample => ({
    lang: "TypeScript",
    label: "call()",
    source: `${body.includes("QuantWsServerError") ? QUANT_WS_HEAD.replace("createQuantWsClient }", "createQuantWsClient, QuantWsServerError }") : QUANT_WS_HEAD}${body}${body.includes("gw.close()") ? "" : body.includes('gw.on("error"') ? "// … and await gw.close() when done\n" : "await gw.close();\n"}`,
  });
  const shell = (line: string): CodeSample => ({ lang: "Shell", label: "CLI", source: `${line}\n` });
  if (op.action === "send" && kind === "request" && wire) {
    if (wire === "login") {
      return [
        ts(`// Resolves once the gateway reports READY (state 6).\n${QUANT_WS_LOGIN}`),
        shell(`npx tradeapi ws login --platform okex --symbols ETH/USDT --seconds 5`),
      ];
    }
    if (wire === "ping") return [ts(`// The client pings every 5 s by itself; one ping now, resolved with the round trip in ms:\nconst rttMs = await gw.ping();\n`)];
    if (wire === "logout") return [ts(`${QUANT_WS_LOGIN}await session.logout();\nawait gw.close(); // logs every session out, then closes\n`)];
    const payload = deref(spec, message.payload ?? {});
    const fields: Obj = {};
    for (const name of (payload.required ?? []) as string[]) {
      if (name === "op" || name === "cid" || name === "token") continue;
      fields[name] = exampleOf(spec, payload.properties?.[name] ?? {}, name);
    }
    const arg = Object.keys(fields).length ? `, ${tsBlock(fields)}` : "";
    const args = ["npx tradeapi call", api, wire, ...Object.entries(fields).map(([k, v]) => cliArg(k, v))];
    // The CLI logs in with the request's symbol; one that names none (asset) gives it: the gateway refuses a login without.
    if (!("symbol" in fields) && wire !== "ping") args.push("--symbols ETH/USDT");
    return [ts(`${QUANT_WS_LOGIN}const reply = await session.request("${wire}"${arg});\n`), shell(args.join(" "))];
  }
  if (op.action === "receive" && kind === "notification") {
    const topic: string = message["x-topic"] ?? (wire === "state" ? "state" : "");
    if (topic) {
      return [ts(`${QUANT_WS_LOGIN}session.on("${topic}", (${topic}) => console.log(${topic}));\n// or, one by one:\nfor await (const ${topic} of session.stream("${topic}")) { console.log(${topic}); break; }\n`)];
    }
  }
  if (op.action === "receive" && kind === "reply" && wire === "pong") return [ts(`const rttMs = await gw.ping(); // resolves when the pong with the same ts arrives\n`)];
  if (op.action === "receive" && kind === "error") {
    // The server's op:error frame carries no cid: it is an `error` event of the client, never a request's rejection.
    return [ts(`gw.on("error", (e) => {\n  if (e instanceof QuantWsServerError) console.log("the gateway could not handle a frame:", e.vendorMessage);\n});\n`)];
  }
  return [];
}

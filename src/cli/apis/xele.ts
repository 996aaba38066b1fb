import { meta } from "../../../generated/xele-mgmt.docs.js";
import { callerAborted, UsageError } from "../../handwritten/core/errors.js";
import { withRetries } from "../../handwritten/core/retry.js";
import type { SchemaMeta } from "../../handwritten/core/meta.js";
import { dataSchemaOf, xeleMeta, type JsonSchema } from "../../handwritten/xele/spec-info.js";
import { CliUsageError, didYouMean, numberFlag, portFlag, quotedValue } from "../args.js";
import type { CliOperation, CliParam } from "../coerce.js";
import type { CliApi } from "../registry.js";
import { envAssignments, envNameOf, envValues } from "../registry.js";
import { decimalsOption, maxResponseBytesOption, timeoutOption } from "./rest.js";

/**
 * Xele requests carry their parameters in a JSON `data` field: each property of the spec's
 * data schema is a parameter (`name=value`); an array payload (updateFrontControls) is the one
 * parameter `data`. A field the client fills by itself (x-no-condition, default) is optional.
 */
function paramsOf(schema: JsonSchema | undefined): CliParam[] {
  if (!schema) return [];
  const types = ([] as string[]).concat(schema.type ?? []);
  if (types.includes("array")) {
    return [{ name: "data", in: "data", required: true, schema: schema as SchemaMeta, description: "the whole array payload, as JSON" }];
  }
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    in: "data",
    required: required.has(name) && !("noCondition" in s) && s.default === undefined,
    schema: s as SchemaMeta,
    ...(s.description ? { description: s.description } : {}),
  }));
}

/**
 * Rows of `open()`'s stream; a transient failure before the first row (a connection refused, a
 * timeout, a 5xx) opens it again, as `call` retries an operation the spec marks retryable
 * (nothing was printed yet). After the first row, a failure ends the rows.
 */
async function* retriedBeforeFirstRow(open: () => AsyncGenerator<unknown, void, undefined>, retryable: boolean, signal: AbortSignal | undefined, operation: string): AsyncGenerator<unknown, void, undefined> {
  const abort = { signals: [signal], error: (s: AbortSignal) => callerAborted({ api: "xele", operation }, s.reason) };
  const { rows, first } = await withRetries(
    retryable,
    async () => {
      const rows = open();
      return { rows, first: await rows.next() };
    },
    {},
    abort,
  );
  try {
    for (let next = first; !next.done; next = await rows.next()) yield next.value;
  } finally {
    await rows.return(undefined);
  }
}

const operations: CliOperation[] = meta.operations.map((o) => ({
  operationId: o.operationId,
  method: o.method,
  path: o.path,
  summary: o.summary,
  deprecated: o.deprecated,
  params: paramsOf(dataSchemaOf(o)),
}));

export const xeleCli: CliApi = {
  title: meta.title,
  operations,
  async createCaller(settings, flags) {
    if (settings.baseUrl) throw new UsageError(`xele has two servers: use --ma-url / --ms-url (or ${envNameOf("xele", "maUrl")} / ${envNameOf("xele", "msUrl")}) instead of --base-url`, { api: "xele" });
    // (a file to replace is one --save-dir writes: alone, --overwrite would be ignored)
    if (flags.overwrite && !flags["save-dir"]) throw new CliUsageError("--overwrite replaces the file --save-dir writes: give --save-dir DIR too");
    const { createXeleClient, XELE_ROW_SCHEMAS } = await import("../../handwritten/xele/client.js");
    const { defaultedServer } = await import("../../handwritten/xele/this-machine.js");
    // (the library's check, named as the CLI takes the settings)
    const defaulted = defaultedServer(settings.maUrl, settings.msUrl);
    if (defaulted) {
      const { given, missing } = defaulted;
      const flag = (k: "maUrl" | "msUrl") => `${envNameOf("xele", k)} (--${k === "maUrl" ? "ma" : "ms"}-url)`;
      throw new UsageError(`${flag(given)} names another machine but ${flag(missing)} is not set: ${missing === "maUrl" ? "the login (user name and password)" : "the counter's requests and token"} would go to its default port on this machine; set both`, { api: "xele" });
    }
    const options = { maUrl: settings.maUrl, msUrl: settings.msUrl, username: settings.username, password: settings.password, counterVersion: settings.counterVersion, ...(settings.proxy ? { proxy: settings.proxy } : {}), ...decimalsOption(flags), ...timeoutOption(flags), ...maxResponseBytesOption(flags) };
    // (made here: a wrong setting is refused before the call)
    createXeleClient(options);
    /** The client of one call (Ctrl-C is its signal: it ends the shared login too) and the data it sends. */
    const prepare = (op: CliOperation, params: Record<string, unknown>, signal: AbortSignal | undefined) => {
      // (any other answer goes to stdout: --save-dir would be ignored)
      if (flags["save-dir"] && op.operationId !== "exportClientSystemInfo") throw new CliUsageError(`--save-dir writes the export of exportClientSystemInfo; ${op.operationId} answers on stdout (--output FILE writes it to a file)`);
      // (as a call's own signal it would go on for other calls, and hold the process until it ends)
      const client = createXeleClient({ ...options, ...(signal ? { signal } : {}) });
      const isArray = op.params.length === 1 && op.params[0]!.name === "data" && op.params[0]!.in === "data" && ([] as string[]).concat(op.params[0]!.schema.type ?? []).includes("array");
      const data = isArray ? params.data : Object.keys(params).length ? { ...params } : undefined;
      return { client, data };
    };
    return {
      async call(op, params, signal) {
        const { client, data } = prepare(op, params, signal);
        if (op.operationId === "exportClientSystemInfo" && flags["save-dir"]) {
          const saved = await client.saveClientSystemExport(data as never, flags["save-dir"], { overwrite: flags.overwrite === "true" });
          return saved ? { savedTo: saved.path, lines: saved.lines } : { savedTo: null, lines: 0 };
        }
        return (client.call as (op: string, data?: unknown) => Promise<unknown>)(op.operationId, data);
      },
      // "|" row answers stream: printed as they arrive, never held whole.
      rows(op, params, signal) {
        if (!Object.hasOwn(XELE_ROW_SCHEMAS, op.operationId)) return undefined;
        const { client, data } = prepare(op, params, signal);
        const stream = client.streamRows as (op: string, data?: unknown) => AsyncGenerator<unknown, void, undefined>;
        return retriedBeforeFirstRow(() => stream(op.operationId, data), xeleMeta.operations.find((o) => o.operationId === op.operationId)?.retryable === true, signal, op.operationId);
      },
    };
  },
  async startMock({ port, flags, log }) {
    const { startXeleMock, XELE_COUNTER_VERSIONS, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } = await import("../../mock/xele.js");
    const rowsIn = flags["rows-in"];
    if (rowsIn !== undefined && rowsIn !== "result" && rowsIn !== "body") throw new CliUsageError(`--rows-in must be result or body, got ${quotedValue(rowsIn)}`);
    const given = flags["counter-version"];
    const counterVersion = given === undefined ? undefined : XELE_COUNTER_VERSIONS.find((v) => v === given.toUpperCase());
    if (given !== undefined && counterVersion === undefined) {
      // (a version without its leading zeros, `7p7`, is the one it ends: 007P7, not the closer 007)
      const ends = XELE_COUNTER_VERSIONS.find((v) => given !== "" && v.endsWith(given.toUpperCase()));
      throw new CliUsageError(`--counter-version takes a version the emulator knows: ${XELE_COUNTER_VERSIONS.join(", ")}; got ${quotedValue(given)}${ends ? `; did you mean ${ends}?` : didYouMean(given, XELE_COUNTER_VERSIONS)}`);
    }
    const mock = await startXeleMock({
      maPort: port,
      ...(flags["ms-port"] !== undefined ? { msPort: portFlag("ms-port", flags["ms-port"]) } : {}),
      ...(counterVersion !== undefined ? { counterVersion } : {}),
      ...(flags.orders !== undefined ? { orders: numberFlag("orders", flags.orders, 0) } : {}),
      ...(flags["token-ttl-ms"] !== undefined ? { tokenTtlMs: numberFlag("token-ttl-ms", flags["token-ttl-ms"], 0) } : {}),
      ...(rowsIn ? { pipeRowsIn: rowsIn } : {}),
      log,
    });
    const creds = envAssignments("xele", { username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
    return {
      urls: { MA: mock.maUrl, MS: mock.msUrl },
      env: envValues("xele", { maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD }),
      hint: `credentials: ${creds}\ntry: ${envAssignments("xele", { maUrl: mock.maUrl, msUrl: mock.msUrl })} ${creds} npx tradeapi call xele queryOrders investor_id='["777001"]'`,
      loseAnswers: (operationId, count) => mock.loseAnswers(operationId, count),
      close: () => mock.close(),
    };
  },
};

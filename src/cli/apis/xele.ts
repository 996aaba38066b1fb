import { meta } from "../../../generated/xele-mgmt.meta.js";
import { UsageError } from "../../handwritten/core/errors.js";
import { parseJson } from "../../handwritten/core/json.js";
import { findOperation } from "../../handwritten/core/meta.js";
import { createXeleClient, type XeleOperationId } from "../../handwritten/xele/client.js";
import { dataSchemaOf, type JsonSchema } from "../../handwritten/xele/spec-info.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMockOptions } from "../../mock/xele.js";
import type { CliApi } from "../registry.js";

/**
 * `name=value` pairs arrive as text; where the spec's data schema wants JSON (arrays, objects,
 * numbers, booleans, null) a value that parses as JSON is used as such, so
 * `investor_id='["777001"]' max_result_count=100` works without --json.
 */
function coerce(params: Record<string, unknown>, schema: JsonSchema | undefined): Record<string, unknown> {
  const props = schema?.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    const types = ([] as string[]).concat(props[name]?.type ?? []);
    if (typeof value === "string" && types.length && !types.includes("string")) {
      try {
        out[name] = parseJson(value);
        continue;
      } catch {
        // leave it: the request check names the field and the expected type
      }
    }
    out[name] = value;
  }
  return out;
}

function mockOptions(args: string[]): XeleMockOptions {
  const opts: XeleMockOptions = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split("=", 2) as [string, string | undefined];
    const value = () => inline ?? args[++i] ?? "";
    switch (flag) {
      case "--ms-port":
        opts.msPort = Number(value());
        break;
      case "--counter-version":
        opts.counterVersion = value();
        break;
      case "--orders":
        opts.orders = Number(value());
        break;
      case "--token-ttl-ms":
        opts.tokenTtlMs = Number(value());
        break;
      case "--rows-in": {
        const v = value();
        if (v !== "result" && v !== "body") throw new UsageError(`--rows-in must be result or body, got ${JSON.stringify(v)}`, { api: "xele" });
        opts.pipeRowsIn = v;
        break;
      }
    }
  }
  return opts;
}

export const xeleCli: CliApi = {
  name: "xele",
  title: meta.title,
  meta,
  env: [
    { name: "XELE_USERNAME", description: "MA user name (login)" },
    { name: "XELE_PASSWORD", description: "MA password (login)", secret: true },
    { name: "XELE_MA_URL", description: `MA auth server URL (default http://127.0.0.1:8899)` },
    { name: "XELE_MS_URL", description: `MS counter server URL (default http://127.0.0.1:8181)` },
  ],
  flags: [
    { name: "ma-url", description: "MA auth server URL (overrides XELE_MA_URL)" },
    { name: "ms-url", description: "MS counter server URL (overrides XELE_MS_URL)" },
    { name: "save-dir", description: "exportClientSystemInfo: write the export into this directory under the file name the counter gives" },
  ],
  createCaller(env, flags) {
    if (flags.baseUrl) throw new UsageError("xele has two servers: use --ma-url / --ms-url (or XELE_MA_URL / XELE_MS_URL) instead of --base-url", { api: "xele" });
    const client = createXeleClient({
      maUrl: flags["ma-url"] ?? env.XELE_MA_URL,
      msUrl: flags["ms-url"] ?? env.XELE_MS_URL,
      username: env.XELE_USERNAME,
      password: env.XELE_PASSWORD,
    });
    return {
      async call(operation, params) {
        const op = findOperation(meta, operation);
        const id = (op?.operationId ?? operation) as XeleOperationId;
        const schema = op ? dataSchemaOf(op) : undefined;
        const isArray = ([] as string[]).concat(schema?.type ?? []).includes("array");
        // Array payloads (updateFrontControls) come as data=[...] or --json '{"data":[...]}'.
        const given = coerce(params, isArray ? { properties: { data: schema! } } : schema);
        const data = isArray ? given.data : Object.keys(given).length ? given : undefined;
        if (id === "exportClientSystemInfo" && flags["save-dir"]) {
          const saved = await client.saveClientSystemExport(data as never, flags["save-dir"]);
          return saved ? { savedTo: saved.path, lines: saved.lines } : { savedTo: null, lines: 0 };
        }
        return (client.call as (op: string, data?: unknown) => Promise<unknown>)(id, data);
      },
    };
  },
  async startMock({ port, host, args }) {
    const mock = await startXeleMock({ ...mockOptions(args), maPort: port, host, log: (l) => process.stderr.write(`${l}\n`) });
    return { urls: { MA: mock.maUrl, MS: mock.msUrl }, close: () => mock.close() };
  },
  mockHint: (m) => {
    const creds = `XELE_USERNAME=${XELE_MOCK_USERNAME} XELE_PASSWORD=${XELE_MOCK_PASSWORD}`;
    return (
      `credentials: ${creds}\n` +
      `try: XELE_MA_URL=${m.urls.MA} XELE_MS_URL=${m.urls.MS} ${creds} tradeapi call xele queryOrders investor_id='["777001"]'`
    );
  },
};

/** What the REST APIs share in the CLI: operations and parameters read from the generated metadata. */
import type { ApiDocMeta } from "../../handwritten/core/meta.js";
import { maxResponseBytesFlag, timeoutFlag } from "../args.js";
import type { CliOperation, CliParam } from "../coerce.js";
import { envAssignments, envValues, type CliApi, type CliSettings } from "../registry.js";

/** What a REST client offers the CLI: `call(operationId, params)`. */
export interface CliRestClient {
  call(operationId: string, params: Record<string, unknown>, options?: { signal: AbortSignal }): Promise<unknown>;
}

/** A client factory as the CLI calls it: the settings (accessKey, secretKey, baseUrl …) are its options. */
export type RestClientFactory = (options: never) => unknown;

/** What a REST API's emulator module offers the CLI: its start function and the credentials it accepts (by setting). */
export interface RestMockModule {
  start(opts: { port: number; log: (line: string) => void } & Record<string, unknown>): Promise<{ url: string; close(): Promise<void>; loseAnswers?(operationId: string, count?: number): void }>;
  credentials: Readonly<Record<string, string>>;
}

/** A REST API in the CLI, as data. */
export interface RestCliConfig {
  meta: ApiDocMeta;
  /**
   * Build the client of one call from its settings and flags. Without it, `client` is loaded
   * and given the settings as options, with `clientOptions(flags)`, the call's `--decimals` and
   * no client-side rate limiting (one-shot calls: no waiting).
   */
  createClient?: (settings: CliSettings, flags: Readonly<Record<string, string>>) => CliRestClient | Promise<CliRestClient>;
  client?: () => Promise<RestClientFactory>;
  /** Client options from the call's API flags (e.g. BHEX --all-as-post). */
  clientOptions?: (flags: Readonly<Record<string, string>>) => Record<string, unknown>;
  startMock?: CliApi["startMock"];
  /** Or: the emulator module, loaded when `mock <api>` runs, and the first call its hint shows (`getBalance`). */
  mock?: () => Promise<RestMockModule>;
  /** The emulator's options from `mock <api>`'s flags of the API (its entry's mockFlags). */
  mockOptions?: (flags: Readonly<Record<string, string>>) => Record<string, unknown>;
  firstCall?: string;
}

/**
 * The CLI module of a REST API from its metadata and its client factory: list, help and
 * `call` come from the spec; the client gets the settings (credentials and base URL from
 * the API's environment variables or flags) and the call's flags. The emulator is optional.
 */
export function restCliApi(opts: RestCliConfig): CliApi {
  const { meta } = opts;
  const createClient = opts.createClient ?? (opts.client ? factoryCaller(opts.client, opts.clientOptions) : undefined);
  const startMock = opts.startMock ?? (opts.mock ? mockStarter(meta.api, opts.mock, opts.firstCall, opts.mockOptions) : undefined);
  return {
    title: meta.title,
    operations: restOperations(meta),
    defaults: { baseUrl: meta.servers[0]?.url ?? "" },
    ...(createClient
      ? {
          async createCaller(settings, flags) {
            const client = await createClient(settings, flags);
            return { call: (op, params, signal) => client.call(op.operationId, params, signal ? { signal } : undefined) };
          },
        }
      : {}),
    ...(startMock ? { startMock } : {}),
  };
}

function factoryCaller(load: () => Promise<RestClientFactory>, extra: RestCliConfig["clientOptions"]): NonNullable<RestCliConfig["createClient"]> {
  return async (settings, flags) => {
    const create = (await load()) as unknown as (options: Record<string, unknown>) => CliRestClient;
    return create({ ...settings, ...extra?.(flags), rateLimit: false, ...decimalsOption(flags), ...timeoutOption(flags), ...maxResponseBytesOption(flags) });
  };
}

function mockStarter(api: string, load: () => Promise<RestMockModule>, firstCall = "", options?: RestCliConfig["mockOptions"]): NonNullable<CliApi["startMock"]> {
  return async ({ port, flags, log }) => {
    const { start, credentials } = await load();
    const mock = await start({ ...options?.(flags), port, log });
    const creds = envAssignments(api, credentials);
    return {
      urls: { url: mock.url },
      env: { ...envValues(api, { baseUrl: mock.url }), ...envValues(api, credentials) },
      hint: `credentials: ${creds}\ntry: ${envAssignments(api, { baseUrl: mock.url })} ${creds} npx tradeapi call ${api} ${firstCall}`.trimEnd(),
      ...(mock.loseAnswers ? { loseAnswers: (operationId: string, count: number) => mock.loseAnswers!(operationId, count) } : {}),
      close: () => mock.close(),
    };
  };
}

/** Every operation of a REST spec, with its parameters (query/path/header, then body fields). */
export function restOperations(meta: ApiDocMeta): CliOperation[] {
  return meta.operations.map((o) => {
    // The client generates the idempotency key (x-idempotency-key) when it is left out.
    const generated = o.idempotencyKey;
    const note = (name: string, description: string | undefined) =>
      name === generated ? `${description ? `${description}\n` : ""}(generated by the client when left out)` : description;
    const form = o.body !== null && /x-www-form-urlencoded/i.test(o.body.contentType);
    const params: CliParam[] = o.params.map((p) => ({
      name: p.name,
      in: p.in,
      required: p.required && p.name !== generated,
      schema: p.schema,
      ...(note(p.name, p.description ?? p.schema.description) ? { description: note(p.name, p.description ?? p.schema.description) } : {}),
    }));
    for (const [name, schema] of Object.entries(o.body?.properties ?? {})) {
      params.push({
        name,
        in: form ? "form" : "body",
        required: o.body!.required.includes(name) && name !== generated,
        schema,
        ...(note(name, schema.description) ? { description: note(name, schema.description) } : {}),
      });
    }
    return { operationId: o.operationId, method: o.method, path: o.path, summary: o.summary, deprecated: o.deprecated, params };
  });
}

/** The client's `timeoutMs` from `--timeout MS` (each attempt's bound), or a usage error. */
export function timeoutOption(flags: Readonly<Record<string, string>>): { timeoutMs?: number } {
  const ms = timeoutFlag(flags);
  return ms === undefined ? {} : { timeoutMs: ms };
}

/** The client's `maxResponseBytes` from `--max-response-bytes N`, or a usage error. */
export function maxResponseBytesOption(flags: Readonly<Record<string, string>>): { maxResponseBytes?: number } {
  const n = maxResponseBytesFlag(flags);
  return n === undefined ? {} : { maxResponseBytes: n };
}

/** The client's `decimals` option from `--decimals` (its value is checked by the call command). */
export function decimalsOption(flags: Readonly<Record<string, string>>): { decimals?: "exact" | "string" | "number" } {
  const d = flags.decimals;
  return d === "exact" || d === "string" || d === "number" ? { decimals: d } : {};
}

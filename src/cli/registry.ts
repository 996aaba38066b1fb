/**
 * What the `tradeapi` CLI knows about each API, in two parts:
 *
 * - `API_TABLE` (this file, loaded by every command): the API's CLI name, its environment
 *   variables (the only place their names are written), its extra flags, and `load()`;
 * - the module `load()` imports (`src/cli/apis/<api>.ts`): operations from the generated
 *   metadata, how to call them and how to start the emulator. A command loads only the API
 *   it names, so `tradeapi list` / `--help` start fast; clients and emulators are imported
 *   only when a call or a mock runs.
 *
 * Adding an API to the CLI is one entry here plus its module under `apis/` (for a REST API,
 * `restCliApi()` from apis/rest.ts builds that module from the metadata and the client
 * factory). `test/api-wiring.test.ts` fails when an API of redocly.yaml has no entry here;
 * `registerApi()` adds one at run time (tests, embedding).
 */
import type { SchemaMeta } from "../handwritten/core/meta.js";
import { urlShown } from "../handwritten/core/validate.js";
import { CliUsageError, closest, parseFlags, quotedValue, type FlagSpec, type ParsedArgs, type StopSignal } from "./args.js";
import type { CliOperation } from "./coerce.js";

export type { CliOperation, CliParam } from "./coerce.js";
export type { FlagSpec } from "./args.js";
export type { SchemaMeta };

/** What kind of URL a setting holds (checked before anything is sent). */
export type UrlKind = "http" | "ws";

/** An environment variable the CLI reads, and the setting it fills. */
export interface EnvVar {
  name: string;
  /** Key in `CliSettings` (e.g. accessKey, secretKey, baseUrl). */
  setting: string;
  description: string;
  /** Never echoed; redacted from every line the CLI prints. */
  secret?: boolean;
  url?: UrlKind;
}

/** A flag of `call`/`mock` for one API; `setting` makes it override an environment variable. */
export interface ApiFlag extends FlagSpec {
  setting?: string;
  url?: UrlKind;
  /** A mock flag: the emulator's option it sets (the emulator's refusal of it is said with the flag's name). */
  option?: string;
}

/** Settings of one call: every EnvVar/ApiFlag `setting`, flags winning over the environment. */
export type CliSettings = Readonly<Record<string, string | undefined>>;

/** Something that runs one operation and resolves to the data to print. */
export interface CliCaller {
  /** `signal`: aborts the call when the user stops the CLI (Ctrl-C). */
  call(operation: CliOperation, params: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
  /**
   * For an operation whose answer is a list read item by item (Xele's "|" rows): its items as
   * they arrive, for `call` to print without holding the whole answer (printed as the same JSON
   * array `call`'s answer would be); undefined for any other operation (`call` runs it).
   */
  rows?(operation: CliOperation, params: Record<string, unknown>, signal?: AbortSignal): AsyncIterable<unknown> | undefined;
  /** Release sockets/timers (optional). */
  close?(): Promise<void>;
}

export interface RunningMock {
  /** Base URL(s) to print, e.g. { url: "http://127.0.0.1:1234" } or { MA: ..., MS: ... }. */
  urls: Record<string, string>;
  /** Lines printed after the banner: the credentials it accepts and a first command. */
  hint?: string;
  /** The client side's variables for this emulator (URLs and the credentials it accepts), by name: `mock --json` prints them. */
  env: Record<string, string>;
  /** `--lose-answers`: the next `count` answers of the operation are not sent (HttpMock.loseAnswers). */
  loseAnswers?(operationId: string, count: number): void;
  close(): Promise<void>;
}

/** The CLI I/O: captured in tests, real stdio in `main()`. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Text to stdout, resolving when stdout takes more (its buffer drained): a long answer printed
   * piece by piece waits for a slow reader instead of piling up in memory. Without it, `stdout`.
   */
  stdoutWrite?: (text: string) => Promise<void>;
  /** Raw bytes to stdout (binary answers without --output). */
  stdoutBytes?: (bytes: Uint8Array) => void;
  /** stdout is a terminal: binary answers are not written there (their bytes would act as control codes). */
  stdoutIsTerminal?: boolean;
  env: NodeJS.ProcessEnv;
  /**
   * Resolves (with the signal's name) when the user wants a command to stop: a long-running one
   * (mock, ws) ends, a call is aborted. With `orphan`, also when the process that started it is
   * gone (SIGHUP: an emulator started by `npx … &` whose npx was killed), and with `pipe`, when
   * stdout's reader went away (SIGPIPE; without it such a command ends at once).
   */
  untilStopped?: (options?: { pipe?: boolean; orphan?: boolean }) => Promise<StopSignal | void>;
  /** Standard input as UTF-8 text, at most `maxBytes` (`--json -`: parameters, a password among them, that no process list shows). */
  readStdin?: (maxBytes: number) => Promise<string>;
}

/** The module an API_TABLE entry loads. */
export interface CliApi {
  title: string;
  /** Every operation with its parameters (from the spec metadata). */
  operations: readonly CliOperation[];
  /** Defaults worth showing in help (e.g. the base URL of the spec's server). */
  defaults?: Readonly<Record<string, string>>;
  /** Build a caller; throw CredentialsError/UsageError for missing input. */
  createCaller?(settings: CliSettings, flags: Readonly<Record<string, string>>): Promise<CliCaller>;
  /** Start the emulator on 127.0.0.1 (port 0 = any free port); `flags` are its mockFlags. */
  startMock?(opts: { port: number; flags: Readonly<Record<string, string>>; log: (line: string) => void }): Promise<RunningMock>;
}

export interface ApiEntry {
  name: string;
  env: readonly EnvVar[];
  /**
   * Flags `call <api>` takes besides --json, --base-url, --output. Left out: REST_CALL_FLAGS
   * (`--timeout`, `--max-response-bytes`), which every REST API's client takes; an API with
   * flags of its own lists those too (`[…, ...REST_CALL_FLAGS]`, as BHEX does).
   */
  callFlags?: readonly ApiFlag[];
  /** Flags `mock <api>` takes besides --port. */
  mockFlags?: readonly ApiFlag[];
  load(): Promise<CliApi>;
}

const s = (name: string, description: string, extra: Partial<ApiFlag> = {}): ApiFlag => ({ name, type: "string", description, ...extra });
const b = (name: string, description: string): ApiFlag => ({ name, type: "boolean", description });

/**
 * The flags every REST API's `call` takes besides the common ones (an entry without
 * `callFlags` gets them, and `call --help` lists them): `--timeout MS`, the client's timeoutMs
 * (quant-ws has its own: one bound for the whole call), and `--max-response-bytes N`, the
 * client's maxResponseBytes.
 */
export const REST_CALL_FLAGS: readonly ApiFlag[] = [
  s("timeout", "ms to wait for each attempt's answer (the client's timeoutMs; default 10000)", { valueName: "MS" }),
  s("max-response-bytes", "the largest answer read, in bytes (the client's maxResponseBytes; default 67108864: 64 MiB)", { valueName: "N" }),
];

/** The entry as the CLI holds it: without `callFlags`, a REST API's (REST_CALL_FLAGS). */
const withDefaults = (entry: ApiEntry): ApiEntry => (entry.callFlags === undefined ? { ...entry, callFlags: REST_CALL_FLAGS } : entry);

const TABLE: ApiEntry[] = ([
  {
    name: "xt",
    env: [
      { name: "XT_ACCESS_KEY", setting: "accessKey", description: "access key (accesskey)" },
      { name: "XT_SECRET_KEY", setting: "secretKey", description: "secret key used to sign", secret: true },
      { name: "XT_BASE_URL", setting: "baseUrl", description: "base URL (default: the spec's server)", url: "http" },
    ],
    mockFlags: [
      s("balances", "the trading account's coins and available amounts to start with (default: the vendor's example answer of getBalance)", { valueName: "COIN=AMOUNT,…", option: "balances" }),
      b("rate-limits", "enforce the vendor's rate limits (3 asset queries, 10 other signed calls a second; beyond: 106 / 124 / 404 while the account is locked); off by default"),
      s("rate-limit-lock", "with --rate-limits: how long the account stays locked (default 1000; the vendor's is 10 minutes)", { valueName: "MS", option: "rateLimitLockMs" }),
    ],
    load: async () => (await import("./apis/xt.js")).xtCli,
  },
  {
    name: "hubi",
    env: [
      { name: "HUBI_ACCESS_KEY", setting: "accessKey", description: "access key (X-API-Key)" },
      { name: "HUBI_SECRET_KEY", setting: "secretKey", description: "secret key used to sign (X-API-Signature)", secret: true },
      { name: "HUBI_ACCESS_TOKEN", setting: "accessToken", description: "access token (Authorization: Bearer)", secret: true },
      { name: "HUBI_BASE_URL", setting: "baseUrl", description: "base URL (default: the spec's server)", url: "http" },
    ],
    load: async () => (await import("./apis/hubi.js")).hubiCli,
  },
  {
    name: "quant-ws",
    env: [
      { name: "QUANT_WS_URL", setting: "baseUrl", description: "gateway URL, ws:// or wss:// (default: the spec's server)", url: "ws" },
      { name: "QUANT_WS_ACCESS_KEY", setting: "accessKey", description: "exchange access key sent in login" },
      { name: "QUANT_WS_SECRET_KEY", setting: "secretKey", description: "exchange secret key sent in login", secret: true },
      { name: "QUANT_WS_PLATFORM", setting: "platform", description: "platform to log in to: the gateway's exchange adapter (required; the deployment decides which it serves, e.g. okex, huobi, huobi_future, ftx)" },
      { name: "QUANT_WS_SYMBOLS", setting: "symbols", description: "comma-separated symbols for login (e.g. BTC/USDT,ETH/USDT)" },
      { name: "QUANT_WS_ACCOUNT", setting: "account", description: "optional account name, read only by the gateway's first revision (the current one builds it from the access key and ignores this)" },
    ],
    callFlags: [
      s("url", "gateway URL (overrides QUANT_WS_URL; --base-url works too)", { setting: "baseUrl", url: "ws", valueName: "URL" }),
      s("platform", "platform to log in to (overrides QUANT_WS_PLATFORM)", { setting: "platform" }),
      s("symbols", "comma-separated symbols to log in with (default: the request's symbol)", { setting: "symbols" }),
      s("symbol", "the same as --symbols", { setting: "symbols" }),
      s("access-key", "access key (overrides QUANT_WS_ACCESS_KEY)", { setting: "accessKey" }),
      s("secret-key", "secret key (overrides QUANT_WS_SECRET_KEY; the environment keeps it out of `ps`)", { setting: "secretKey", secret: true }),
      s("account", "account name (overrides QUANT_WS_ACCOUNT)", { setting: "account" }),
      s("timeout", "ms for the whole call: connect, login until READY, the request (default: 15000 until READY, then 10000 for the request)", { valueName: "MS" }),
    ],
    mockFlags: [
      s("ready-delay", "ms between the login reply and state READY", { valueName: "MS", option: "readyDelayMs" }),
      s("reply-delay", "ms before each reply", { valueName: "MS", option: "replyDelayMs" }),
      s("reorder", "answer up to N pipelined requests out of order", { valueName: "N", option: "reorderWindow" }),
      s("idle-timeout", "ms of silence before the gateway drops a socket", { valueName: "MS", option: "idleTimeoutMs" }),
      b("no-pong", "do not answer pings"),
      s("drop-every", "drop every socket every SEC seconds", { valueName: "SEC" }),
      s("half-open-every", "every SEC seconds the open sockets go half-open: nothing passes, no close; their logins stay until the idle check (as on the real gateway)", { valueName: "SEC" }),
      s("outage-every", "exchange outage every SEC seconds", { valueName: "SEC" }),
      s("outage-ms", "length of each outage (default 2000)", { valueName: "MS" }),
    ],
    load: async () => (await import("./apis/quant-ws.js")).quantWsCli,
  },
  {
    name: "bhex",
    env: [
      { name: "BHEX_ACCESS_KEY", setting: "accessKey", description: "org access key (sent as X-ACCESS-KEY)" },
      { name: "BHEX_SECRET_KEY", setting: "secretKey", description: "secret key used to sign", secret: true },
      { name: "BHEX_BASE_URL", setting: "baseUrl", description: "the broker's Org API host (default: the spec's server)", url: "http" },
    ],
    callFlags: [b("all-as-post", "send every call as a form POST, as the vendor demos do"), ...REST_CALL_FLAGS],
    mockFlags: [
      s("balances", "each user's tokens and free amounts to start with, any other token 0 (default: 1000000 of every token)", { valueName: "TOKEN=AMOUNT,…", option: "balances" }),
      b("rate-limits", "enforce the vendor's rate limit: order/org_batch_cancel once per 10 seconds (status 1 within them); off by default"),
    ],
    load: async () => (await import("./apis/bhex.js")).bhexCli,
  },
  {
    name: "xele",
    env: [
      { name: "XELE_USERNAME", setting: "username", description: "MA user name (login)" },
      { name: "XELE_PASSWORD", setting: "password", description: "MA password (login)", secret: true },
      { name: "XELE_MA_URL", setting: "maUrl", description: "MA auth server URL (default: the spec's MA server)", url: "http" },
      { name: "XELE_MS_URL", setting: "msUrl", description: "MS counter server URL (default: the spec's MS server)", url: "http" },
      { name: "XELE_COUNTER_VERSION", setting: "counterVersion", description: "the counter's version (003, 007, 007P7, 007P8, 007P9; default: the newest): requests carry only what it knows" },
    ],
    callFlags: [
      s("ma-url", "MA auth server URL (overrides XELE_MA_URL)", { setting: "maUrl", url: "http", valueName: "URL" }),
      s("ms-url", "MS counter server URL (overrides XELE_MS_URL)", { setting: "msUrl", url: "http", valueName: "URL" }),
      s("counter-version", "the counter's version: 003, 007, 007P7, 007P8 or 007P9 (overrides XELE_COUNTER_VERSION; default: the newest); fields it does not know are not sent", { setting: "counterVersion", valueName: "V" }),
      s("save-dir", "exportClientSystemInfo: write the export into this directory under the file name the counter gives", { valueName: "DIR" }),
      b("overwrite", "with --save-dir: replace a file of that name (default: keep it and fail)"),
      // ("|" row answers are printed as they arrive: both flags bound a row stream as streamRows does)
      s("timeout", `${REST_CALL_FLAGS[0]!.description}; a "|" row answer: its start, then each wait for more of it`, { valueName: "MS" }),
      s("max-response-bytes", `${REST_CALL_FLAGS[1]!.description}; a "|" row answer, printed as it arrives, is read whole at any size: N bounds its longest line`, { valueName: "N" }),
    ],
    mockFlags: [
      s("ms-port", "port of the MS server (default: any free port)", { valueName: "N", option: "msPort" }),
      s("counter-version", "counter version to emulate: 003, 007, 007P7 (fewer columns), 007P8 or 007P9 (the default)", { valueName: "V" }),
      s("orders", "number of orders in the book", { valueName: "N", option: "orders" }),
      s("token-ttl-ms", "token lifetime", { valueName: "MS", option: "tokenTtlMs" }),
      s("rows-in", "where \"|\" rows travel: result or body", { valueName: "result|body" }),
    ],
    load: async () => (await import("./apis/xele.js")).xeleCli,
  },
] satisfies ApiEntry[]).map(withDefaults);

/** Every API the CLI knows (the entries above, then those added by `registerApi`). */
export const API_TABLE: readonly ApiEntry[] = TABLE;

/**
 * Add an API to the CLI at run time (its commands then find it like the built-in ones);
 * returns a function that removes it again. A name already known is a usage error;
 * without `callFlags`, it takes the REST ones (REST_CALL_FLAGS).
 */
export function registerApi(given: ApiEntry): () => void {
  if (TABLE.some((a) => a.name === given.name)) throw new CliUsageError(`api ${JSON.stringify(given.name)} is already registered`);
  const entry = withDefaults(given);
  TABLE.push(entry);
  return () => {
    const i = TABLE.indexOf(entry);
    if (i >= 0) TABLE.splice(i, 1);
  };
}

export function apiNames(): string[] {
  return API_TABLE.map((a) => a.name);
}

/** The entry for `name`, or a usage error listing the APIs. */
export function findApi(name: string | undefined): ApiEntry {
  const entry = API_TABLE.find((a) => a.name === name);
  if (entry) return entry;
  if (name === undefined) throw new CliUsageError(`missing api; one of: ${apiNames().join(", ")}`);
  // One that begins it or that it begins (`hu`, `quant`), or else the closest name (`bhx`,
  // `xelle`, `quant_ws`) for a word of three letters or more (any two are "close" to `xt`).
  const lower = name.toLowerCase();
  const near = apiNames().find((n) => n.startsWith(lower) || lower.startsWith(n)) ?? (name.length > 2 ? closest(name, apiNames()) : undefined);
  throw new CliUsageError(`unknown api ${quotedValue(name)}${near ? `; did you mean ${near}?` : ""}; known: ${apiNames().join(", ")}`);
}

/**
 * The arguments of a command that names an api (`call`, `mock`): the command's own flags
 * `common` and those the api adds (`flagsOf`). An unknown flag is named before an unknown api
 * (the first pass knows every api's flags). `entry` is undefined for a bare `--help`; `specs`
 * are the flags the command took (for its help).
 */
export function parseApiArgs(
  args: readonly string[],
  common: readonly FlagSpec[],
  flagsOf: (entry: ApiEntry) => readonly ApiFlag[] | undefined,
): ParsedArgs & { entry?: ApiEntry; specs: FlagSpec[] } {
  const every = [...common, ...API_TABLE.flatMap((a) => flagsOf(a) ?? [])];
  const first = parseFlags(args, every, false);
  const apiName = first.positional[0];
  if (apiName === undefined && first.flags.help) return { ...first, specs: every };
  if (!API_TABLE.some((a) => a.name === apiName)) parseFlags(args, every);
  const entry = findApi(apiName);
  const specs = [...common, ...(flagsOf(entry) ?? [])];
  return { ...parseFlags(args, specs), entry, specs };
}

/** Every secret value the environment gives any API (redacted from all output). */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const a of API_TABLE) for (const v of a.env) if (v.secret && env[v.name]) out.push(env[v.name]!);
  return out;
}

/** `NAME=value ...` for the API's variables, from values by setting (mock hints). */
export function envAssignments(api: string, values: Readonly<Record<string, string>>): string {
  return Object.entries(envValues(api, values))
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
}

/** The API's variables with values by setting, as `{ NAME: value }` (`mock --json`). */
export function envValues(api: string, values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of findApi(api).env) if (Object.hasOwn(values, v.setting)) out[v.name] = values[v.setting]!;
  return out;
}

/** The variable that fills `setting` for `api` (for hints in error messages). */
export function envNameOf(api: string, setting: string): string | undefined {
  return API_TABLE.find((a) => a.name === api)?.env.find((v) => v.setting === setting)?.name;
}

/** The library's advice, which names its options: the CLI's names its variables and flags instead. */
const LIBRARY_ADVICE = /: pass \{ \w+ \} to (?:the client|createXeleClient)/;

/**
 * A credential message of `api` ("missing secretKey: pass { secretKey } to the client") in the
 * CLI's words: for each setting it names and whose variable it does not mention yet, where to
 * give it ("set XT_SECRET_KEY", "or pass --secret-key" where a flag gives it too; a variable
 * set to "" is said to be empty), or, for a value that was given but refused (a control
 * character …), where it came from (" (the value of NAME)", or of the flag given). The library
 * speaks of its options; the CLI reads the environment and its flags (`argv`).
 */
export function credentialMessage(api: string | undefined, message: string, env: NodeJS.ProcessEnv = {}, argv: readonly string[] = []): string {
  const entry = API_TABLE.find((a) => a.name === api);
  if (!entry) return message;
  const named = entry.env.filter((v) => new RegExp(`\\b${v.setting}\\b`).test(message) && !message.includes(v.name));
  if (!named.length) return message;
  const flagOf = (setting: string) => entry.callFlags?.find((f) => f.setting === setting);
  if (!/\bmissing\b/.test(message)) {
    const given = (v: EnvVar) => {
      const flag = flagOf(v.setting);
      return flag && argv.some((a) => a === `--${flag.name}` || a.startsWith(`--${flag.name}=`)) ? `--${flag.name}` : v.name;
    };
    return `${message} (the value of ${named.map(given).join(" / ")})`;
  }
  const where = named
    .map((v) => {
      if (env[v.name] === "") return `${v.name} is set but empty`;
      const flag = flagOf(v.setting);
      return `set ${v.name}${flag ? ` or pass --${flag.name}` : ""}`;
    })
    .join(" / ");
  return LIBRARY_ADVICE.test(message) ? message.replace(LIBRARY_ADVICE, `: ${where}`) : `${message}; ${where}`;
}

/** Check a URL setting: it must parse and use the API's schemes. */
export function checkUrl(value: string, kind: UrlKind, source: string): void {
  const schemes = kind === "ws" ? ["ws:", "wss:"] : ["http:", "https:"];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliUsageError(`${source} is not a URL: ${urlShown(value)} (expected ${schemes.map((p) => `${p}//host[:port]`).join(" or ")})`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new CliUsageError(`${source} must be a ${schemes.join(" or ")} URL, got ${urlShown(value)}`);
  }
}

/**
 * The call's settings for `entry`: each flag with a `setting` wins over the environment
 * variable of the same setting; `--base-url` fills `baseUrl`. URLs are checked here.
 */
export function resolveSettings(entry: ApiEntry, env: NodeJS.ProcessEnv, flags: Readonly<Record<string, string>>): CliSettings {
  const out: Record<string, string | undefined> = Object.create(null);
  const kinds: Record<string, { kind: UrlKind; source: string }> = Object.create(null);
  for (const v of entry.env) {
    const value = env[v.name];
    // An empty URL would mean the default server, the exchange itself: `XT_BASE_URL=$MOCK_URL`
    // with MOCK_URL unset must not send signed requests there.
    if (value === "" && v.url) throw new CliUsageError(`${v.name} is set but empty: give a URL, or unset it to use the default server`);
    if (value === undefined || value === "") continue;
    out[v.setting] = value;
    if (v.url) kinds[v.setting] = { kind: v.url, source: v.name };
  }
  const flagSpecs: ApiFlag[] = [{ name: "base-url", type: "string", description: "", setting: "baseUrl" }, ...(entry.callFlags ?? [])];
  const fromFlag: Record<string, string> = Object.create(null);
  for (const f of flagSpecs) {
    if (!f.setting || flags[f.name] === undefined) continue;
    // two flags of one setting (quant-ws --url and --base-url, --symbol and --symbols) that disagree
    const other = fromFlag[f.setting];
    if (other !== undefined && out[f.setting] !== flags[f.name]) {
      // (quoted as a URL is, whatever it holds: `user:pw@host` and `wss:/u:pw@h` without their password)
      const shown = (v: string) => urlShown(v);
      throw new CliUsageError(`--${other} and --${f.name} set the same thing to two values (${shown(out[f.setting]!)} and ${shown(flags[f.name]!)}): give one`);
    }
    fromFlag[f.setting] = f.name;
    out[f.setting] = flags[f.name];
    const url = f.url ?? entry.env.find((v) => v.setting === f.setting)?.url;
    if (url) kinds[f.setting] = { kind: url, source: `--${f.name}` };
  }
  for (const [setting, { kind, source }] of Object.entries(kinds)) checkUrl(out[setting]!, kind, source);
  return out;
}

import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

/** The emulator spoken to directly (no client), as any HTTP tool would. */
let mock: XeleMock;
let token: string;
beforeAll(async () => {
  mock = await startXeleMock();
  const res = await fetch(`${mock.maUrl}/login`, { method: "POST", body: JSON.stringify({ username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD }) });
  token = ((await res.json()) as { ticket: string }).ticket;
});
afterAll(() => mock.close());

const ms = () => ({ protocl_version: "1.0.1", token, serialno: 0, operator: "" });
const ma = () => ({ client_version: "1.0.1", token });
const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v), "utf8").toString("base64");

async function send(base: "ma" | "ms", method: string, path: string, opts: { params?: string; body?: string } = {}) {
  const url = `${base === "ma" ? mock.maUrl : mock.msUrl}${path}${opts.params === undefined ? "" : `?params=${encodeURIComponent(opts.params)}`}`;
  const res = await fetch(url, { method, ...(opts.body === undefined ? {} : { body: opts.body, headers: { "content-type": "application/json" } }) });
  return { status: res.status, body: (await res.json()) as { code: number; msg: string; result?: unknown } };
}

/** fetch cannot send a GET body; node:http can (the vendor doc's primary form for GET). */
function getWithBody(url: string, body: string): Promise<{ status: number; body: { code: number; msg: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code: number; msg: string } }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const audit = (data: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ ...ms(), ...extra, data });

describe("strict requests, answered with the vendor doc's codes", () => {
  const cases: Array<{ name: string; run: () => ReturnType<typeof send>; code: number; msg?: RegExp }> = [
    { name: "valid request", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: audit({ unique_id: 12, status: 1 }) }), code: 0 },
    { name: "body that is not JSON → 104", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: "{unique_id:" }), code: 104, msg: /the body is not JSON/ },
    { name: "empty body → 104", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: "" }), code: 104, msg: /the body is empty/ },
    { name: "a number no double holds → 116, not 104", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: audit({ unique_id: 12, status: 1 }).replace('"status":1', '"status":1e400') }), code: 116, msg: /data\.status = 1e400 does not fit a double/ },
    { name: "body that is a JSON array → 104", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: "[1]" }), code: 104, msg: /the body is a JSON array: the request is a JSON object/ },
    { name: "params that is not base64 → 104", run: () => send("ms", "GET", "/api/trade/system/info", { params: "%%%" }), code: 104 },
    { name: "params of something that is not JSON → 104", run: () => send("ms", "GET", "/api/trade/system/info", { params: b64("not json") }), code: 104, msg: /params is not JSON/ },
    { name: "extra field at the top → 103", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: audit({ unique_id: 12, status: 1 }, { extra: 1 }) }), code: 103, msg: /不识别字段.*extra/ },
    { name: "extra field inside data → 103", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: audit({ unique_id: 12, status: 1, note: "x" }) }), code: 103, msg: /data\.note/ },
    { name: "missing field → 115", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: audit({ unique_id: 12 }) }), code: 115, msg: /data\.status/ },
    { name: "missing common field → 115", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: JSON.stringify({ protocl_version: "1.0.1", token, operator: "", data: { unique_id: 12, status: 1 } }) }), code: 115, msg: /serialno/ },
    { name: "wrong type → 115", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: audit({ unique_id: "12", status: 1 }) }), code: 115, msg: /data\.unique_id must be integer/ },
    { name: "value outside the enum → 116", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: audit({ unique_id: 12, status: 7 }) }), code: 116 },
    { name: "wrong protocol version → 105", run: () => send("ms", "PUT", "/api/trade/cashinout/audit", { body: audit({ unique_id: 12, status: 1 }, { protocl_version: "2.0.0" }) }), code: 105 },
    { name: "MA fields on an MS request → 103", run: () => send("ms", "GET", "/api/trade/system/info", { params: b64({ ...ma(), serialno: 0, operator: "", protocl_version: "1.0.1" }) }), code: 103, msg: /client_version/ },
    { name: "unknown token → 109", run: () => send("ms", "GET", "/api/trade/system/info", { params: b64({ ...ms(), token: "nope" }) }), code: 109, msg: /无效token/ },
    { name: "GET with base64 params", run: () => send("ms", "GET", "/api/trade/system/info", { params: b64(ms()) }), code: 0 },
    { name: "GET with the JSON in the body, as the vendor doc also allows", run: () => getWithBody(`${mock.maUrl}/api/trade/authentication/code`, JSON.stringify(ma())), code: 0 },
    { name: "an MA operation sent to MS → 101", run: () => send("ms", "GET", "/api/trade/authentication/code", { params: b64(ma()) }), code: 101, msg: /served by MA/ },
    { name: "unknown path → 101", run: () => send("ms", "GET", "/api/trade/infos", { params: b64(ms()) }), code: 101 },
    { name: "method the path does not take → 108", run: () => send("ms", "DELETE", "/api/trade/system/info", { body: JSON.stringify(ms()) }), code: 108 },
    { name: "login with a wrong password → 114", run: () => send("ma", "POST", "/login", { body: JSON.stringify({ username: XELE_MOCK_USERNAME, password: "x" }) }), code: 114 },
    { name: "login without a password → 115", run: () => send("ma", "POST", "/login", { body: JSON.stringify({ username: XELE_MOCK_USERNAME }) }), code: 115 },
  ];
  it.each(cases)("$name", async ({ run, code, msg }) => {
    const { status, body } = await run();
    expect(status).toBe(200);
    expect(body.code).toBe(code);
    if (msg) expect(body.msg).toMatch(msg);
  });

  it("tokens expire (expireTokens) and a new login issues a new one", async () => {
    const fresh = await send("ma", "POST", "/login", { body: JSON.stringify({ username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD }) });
    const ticket = (fresh.body as unknown as { ticket: string }).ticket;
    expect(ticket).toMatch(/^[0-9a-f]{32}$/);
    expect((await send("ms", "GET", "/api/trade/system/info", { params: b64({ ...ms(), token: ticket }) })).body.code).toBe(0);
    mock.expireTokens();
    expect((await send("ms", "GET", "/api/trade/system/info", { params: b64({ ...ms(), token: ticket }) })).body.code).toBe(109);
    const again = await send("ma", "POST", "/login", { body: JSON.stringify({ username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD }) });
    token = (again.body as unknown as { ticket: string }).ticket;
    expect(token).not.toBe(ticket);
  });

  it("records what it received, decoded", async () => {
    const before = mock.received.length;
    await send("ms", "GET", "/api/trade/system/info", { params: b64(ms()) });
    expect(mock.received.slice(before)).toEqual([
      expect.objectContaining({ server: "MS", operationId: "getSystemInfo", method: "GET", viaParams: true, json: ms() }),
    ]);
  });
});

describe("a write refused is not applied in part", () => {
  it("updateFrontControls with a known seat then an unknown one answers 110 and changes neither; with only known seats it is applied", async () => {
    const fronts = async () => (await send("ms", "GET", "/api/trade/front/control", { params: b64({ ...ms(), data: { seat_index: null } }) })).body.result as Array<Record<string, unknown>>;
    const before = await fronts();
    const seat0 = before.find((f) => f.exchange_id === "SHFE" && f.seat_index === 0)!;
    expect(seat0).toBeDefined();
    const good = { exchange_id: "SHFE", seat_index: 0, seat_type: "MANAGER", model_switch: 1, flow_control: 200, weight: Number(seat0.weight) + 1, front_ip: "192.168.2.10" };
    const unknown = { ...good, exchange_id: "DCE", seat_index: 9 };
    const refused = await send("ms", "PUT", "/api/trade/front/control", { body: JSON.stringify({ ...ms(), data: [good, unknown] }) });
    expect(refused.body.code).toBe(110);
    expect(refused.body.msg).toContain("DCE seat 9");
    expect(await fronts()).toEqual(before);
    expect((await send("ms", "PUT", "/api/trade/front/control", { body: JSON.stringify({ ...ms(), data: [good] }) })).body.code).toBe(0);
    expect((await fronts()).find((f) => f.exchange_id === "SHFE" && f.seat_index === 0)).toMatchObject({ weight: good.weight, front_ip: "192.168.2.10" });
  });
});

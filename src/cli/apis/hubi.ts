import { meta } from "../../../generated/hubi-futures.meta.js";
import { createHubiClient } from "../../handwritten/hubi/client.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } from "../../mock/hubi.js";
import type { CliApi } from "../registry.js";

export const hubiCli: CliApi = {
  name: "hubi",
  title: meta.title,
  meta,
  env: [
    { name: "HUBI_ACCESS_KEY", description: "access key (X-API-Key)" },
    { name: "HUBI_SECRET_KEY", description: "secret key used to sign (X-API-Signature)", secret: true },
    { name: "HUBI_ACCESS_TOKEN", description: "access token (Authorization: Bearer)", secret: true },
    { name: "HUBI_BASE_URL", description: `base URL (default ${meta.servers[0]?.url})` },
  ],
  createCaller(env, flags) {
    const client = createHubiClient({
      accessKey: env.HUBI_ACCESS_KEY,
      secretKey: env.HUBI_SECRET_KEY,
      accessToken: env.HUBI_ACCESS_TOKEN,
      baseUrl: flags.baseUrl ?? env.HUBI_BASE_URL,
    });
    return { call: (op, params) => client.call(op as never, params as never) };
  },
  async startMock({ port, host }) {
    const mock = await startHubiMock({ port, host, log: (l) => process.stderr.write(`${l}\n`) });
    return { urls: { url: mock.url }, close: () => mock.close() };
  },
  mockHint: (m) => {
    const creds = `HUBI_ACCESS_KEY=${HUBI_MOCK_ACCESS_KEY} HUBI_SECRET_KEY=${HUBI_MOCK_SECRET_KEY} HUBI_ACCESS_TOKEN=${HUBI_MOCK_ACCESS_TOKEN}`;
    return (
      `credentials: ${creds}\n` +
      `try: HUBI_BASE_URL=${m.urls.url} ${creds} tradeapi call hubi enterOrder coin_code=USDT symbol=BTCUSD open_position=true quantity=1 trade_direction=BUY order_type=MARKET`
    );
  },
};

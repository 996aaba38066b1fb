import { meta } from "../../../generated/hubi-futures.docs.js";
import type { CliApi } from "../registry.js";
import { envAssignments } from "../registry.js";
import { decimalsOption, restCliApi, type CliRestClient } from "./rest.js";

export const hubiCli: CliApi = restCliApi({
  meta,
  async createClient(settings, flags) {
    const { createHubiClient } = await import("../../handwritten/hubi/client.js");
    return createHubiClient({
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      accessToken: settings.accessToken,
      baseUrl: settings.baseUrl,
      ...decimalsOption(flags),
    }) as unknown as CliRestClient;
  },
  async startMock({ port, log }) {
    const { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } = await import("../../mock/hubi.js");
    const mock = await startHubiMock({ port, log });
    const creds = envAssignments("hubi", { accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN });
    return {
      urls: { url: mock.url },
      hint:
        `credentials: ${creds}\n` +
        `try: ${envAssignments("hubi", { baseUrl: mock.url })} ${creds} npx tradeapi call hubi enterOrder coin_code=USDT symbol=BTCUSD open_position=true quantity=1 trade_direction=BUY order_type=MARKET`,
      close: () => mock.close(),
    };
  },
});

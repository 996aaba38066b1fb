/** `tradeapi … hubi`: Hubi futures REST as data for `restCliApi` (the access token is a setting as well). */
import { meta } from "../../../generated/hubi-futures.docs.js";
import { restCliApi } from "./rest.js";

export const hubiCli = restCliApi({
  meta,
  client: async () => (await import("../../handwritten/hubi/client.js")).createHubiClient,
  mock: () =>
    import("../../mock/hubi.js").then((m) => ({
      start: m.startHubiMock,
      credentials: { accessKey: m.HUBI_MOCK_ACCESS_KEY, secretKey: m.HUBI_MOCK_SECRET_KEY, accessToken: m.HUBI_MOCK_ACCESS_TOKEN },
    })),
  firstCall: "enterOrder coin_code=USDT symbol=BTCUSD open_position=true quantity=1 trade_direction=BUY order_type=MARKET",
});

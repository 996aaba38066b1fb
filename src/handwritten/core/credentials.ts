import { CredentialsError } from "./errors.js";

/**
 * Return a credential or throw a CredentialsError naming the option that supplies it
 * ("missing secretKey: pass { secretKey } to the client"). The library never reads the
 * environment, so it never names a variable; the CLI adds its own hint (`credentialHint`).
 */
export function credentialOf(api: string, option: string, value: string | undefined, operation?: string): string {
  if (value) return value;
  throw new CredentialsError(`missing ${option}: pass { ${option} } to the client`, {
    api,
    ...(operation ? { operation } : {}),
  });
}

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

/**
 * @deprecated use `credentialOf`. `_envVar` is not used: the library speaks of its options only
 * (the variable names live in the CLI registry, src/cli/registry.ts).
 */
export function requireCredential(api: string, option: string, value: string | undefined, _envVar?: string, operation?: string): string {
  return credentialOf(api, option, value, operation);
}

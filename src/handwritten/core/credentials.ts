import { CredentialsError } from "./errors.js";

/** Return a credential or throw a CredentialsError saying where it comes from. */
export function requireCredential(api: string, option: string, value: string | undefined, envVar: string, operation?: string): string {
  if (value) return value;
  throw new CredentialsError(`missing ${option}: pass { ${option} } to the client or set ${envVar}`, {
    api,
    ...(operation ? { operation } : {}),
  });
}

// Vault references `{vault://env/NAME[/json-key]}` with Kong's env-vault naming: the resource
// is upper-cased and `-` becomes `_`. Only whole-value references are recognised (decision 19).
// The PDK's kong.vault.get reuses resolveVaultReference.

const WHOLE_REFERENCE = /^\{vault:\/\/([^/}]+)\/([^}]*)\}$/;

export type VaultResolution = { readonly value: string } | { readonly error: string };

export function isVaultReference(value: string): boolean {
  return value.startsWith('{vault://') && value.endsWith('}');
}

/** Kong's env vault: `test-secret` reads TEST_SECRET. */
export function envVariableName(resource: string): string {
  return resource.toUpperCase().replace(/-/g, '_');
}

export function resolveVaultReference(reference: string, env: NodeJS.ProcessEnv = process.env): VaultResolution {
  const match = WHOLE_REFERENCE.exec(reference);
  if (match === null) return { error: `invalid vault reference ${reference} (expected {vault://env/<name>[/<json-key>]})` };
  const [, vault, rest] = match;
  if (vault !== 'env') return { error: `vault '${vault}' is not supported by luagate (only 'env'): ${reference}` };
  const slash = rest.indexOf('/');
  const resource = slash === -1 ? rest : rest.slice(0, slash);
  const jsonKey = slash === -1 ? null : rest.slice(slash + 1);
  if (resource === '') return { error: `invalid vault reference ${reference} (missing variable name)` };
  const variable = envVariableName(resource);
  const raw = env[variable];
  if (raw === undefined) return { error: `could not resolve ${reference}: environment variable ${variable} is not set` };
  if (jsonKey === null || jsonKey === '') return { value: raw };
  return readJsonKey(raw, jsonKey, reference, variable);
}

function readJsonKey(raw: string, key: string, reference: string, variable: string): VaultResolution {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { error: `could not resolve ${reference}: environment variable ${variable} is not a JSON object` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { error: `could not resolve ${reference}: environment variable ${variable} is not a JSON object` };
  }
  const value = (parsed as Record<string, unknown>)[key];
  if (value === undefined || value === null) return { error: `could not resolve ${reference}: key '${key}' not found in ${variable}` };
  if (typeof value === 'object') return { error: `could not resolve ${reference}: key '${key}' in ${variable} is not a scalar` };
  return { value: String(value) };
}

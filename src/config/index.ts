// Public API of the configuration layer.
export { ConfigValidationError, SettingsError, formatIssue } from './errors';
export type { ConfigIssue, SettingsIssue } from './errors';
export { loadDeclarativeConfig, loadDeclarativeConfigWithWarnings, parseDeclarativeConfig } from './declarative/load';
export type { LoadOptions, LoadResult } from './declarative/load';
export { loadSettings, readSettings, defaultSettings, parseKongConf } from './settings';
export type { SettingsSources, SettingsReport } from './settings';
export { SETTING_DEFINITIONS } from './settings-definitions';
export { parseListen } from './listen';
export { resolveVaultReference, isVaultReference, envVariableName } from './vault';
export type { VaultResolution } from './vault';
export { normalizePluginConfig, UnsupportedPluginError } from './plugins/normalize-plugin';
export { supportedPluginNames } from './plugins/registry';
export { UNTRUSTED_LUA_OFF_MESSAGE, REQUEST_CALLOUT_CHUNK_NAME } from './plugins/request-callout';
export { buildSnapshot, closeSnapshot, deepFreeze } from './snapshot';
export type { ConfigSnapshot } from './snapshot';
export { stableId } from './ids';
export * from './types';

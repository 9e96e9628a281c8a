// What the loader needs to know about a plugin luagate implements: its Kong-native schema
// (protocols + config) and the plugin-level checks run after the schema walk.
import type { IssueCollector } from '../issues';
import type { KongField } from '../kong-schema/definition';
import type { CodeSite } from '../kong-schema/normalize';
import type { Path } from '../path';
import type { UntrustedLuaMode } from '../types';

export interface PluginCheckContext {
  readonly issues: IssueCollector;
  /** Strings of this plugin's config that carry Lua, templates or URLs. */
  readonly sites: readonly CodeSite[];
  readonly untrustedLua: UntrustedLuaMode;
  /** Path of the plugin's `config` record. */
  readonly configPath: Path;
}

export interface PluginSchemaBinding {
  readonly name: string;
  readonly priority: number;
  /** Record definition holding the plugin's `protocols` and `config` fields. */
  readonly schema: KongField;
  check(config: unknown, context: PluginCheckContext): void;
}

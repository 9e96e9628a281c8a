// Kong's native schema format (as exported by Kong's docs tooling), kept as JSON data under
// schema/. The walker in normalize.ts gives these definitions Kong's semantics.

export type KongFieldType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'set' | 'map' | 'record';

/** luagate's own annotation: which load-time check a string value gets (Lua syntax, template, URL). */
export type LuagateCheck = 'lua' | 'template' | 'url';

export interface MutuallyRequiredCheck { readonly mutually_required: readonly string[] }
export interface AtLeastOneOfCheck { readonly at_least_one_of: readonly string[] }
export interface OnlyOneOfCheck { readonly only_one_of: readonly string[] }
export interface ConditionalCheck {
  readonly conditional: {
    readonly if_field: string;
    readonly if_match: { readonly eq?: unknown; readonly one_of?: readonly unknown[] };
    readonly then_field: string;
    readonly then_match: { readonly required?: boolean; readonly eq?: unknown };
  };
}
/** Kong runs Lua functions here that the export does not carry; luagate accepts them as no-ops. */
export interface CustomEntityCheck { readonly custom_entity_check: { readonly field_sources: readonly string[] } }

export type EntityCheck = MutuallyRequiredCheck | AtLeastOneOfCheck | OnlyOneOfCheck | ConditionalCheck | CustomEntityCheck;

export interface KongField {
  readonly type: KongFieldType;
  readonly required?: boolean;
  readonly default?: unknown;
  readonly one_of?: readonly (string | number)[];
  readonly between?: readonly [number, number];
  readonly gt?: number;
  readonly len_min?: number;
  readonly len_max?: number;
  /** A Lua pattern, matched unanchored as `string.match` does. */
  readonly match?: string;
  readonly starts_with?: string;
  readonly uuid?: boolean;
  readonly referenceable?: boolean;
  readonly encrypted?: boolean;
  readonly elements?: KongField;
  readonly keys?: KongField;
  readonly values?: KongField;
  readonly fields?: readonly Readonly<Record<string, KongField>>[];
  readonly entity_checks?: readonly EntityCheck[];
  readonly shorthand_fields?: readonly Readonly<Record<string, KongShorthandField>>[];
  readonly luagate_check?: LuagateCheck;
  readonly description?: string;
}

export interface KongShorthandField extends KongField {
  readonly deprecation?: {
    readonly message?: string;
    readonly removal_in_version?: string;
    readonly replaced_with?: readonly { readonly path: readonly string[] }[];
  };
  /** How the value maps onto its replacement: copy it, or turn `host:port` strings into records. */
  readonly luagate_expand?: 'copy' | 'host_port_records';
}

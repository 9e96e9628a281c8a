// The Kong version luagate emulates: used in Server/Via headers and kong.node.get_version().
export const KONG_VERSION = '3.12.0.0';
export const SERVER_TOKEN = `kong/${KONG_VERSION}`;

// Config-time validation of a template value: the generated Lua must compile (LuaJIT dialect).
import { parseTemplate, hasTemplateSyntax } from './parse';
import { templateToLuaSource } from './lua-source';
import { checkLuaSyntax } from '../lua/syntax';

/** Returns null when `text` is a valid template (or plain text), else the error message. */
export function checkTemplate(text: string, chunkName = 'template'): string | null {
  if (!hasTemplateSyntax(text)) return null;
  return checkLuaSyntax(templateToLuaSource(parseTemplate(text)), chunkName);
}

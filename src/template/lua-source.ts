// Turns parsed template pieces into one Lua chunk that returns the render function.
// Lines are preserved (literal newlines become "\n" escapes followed by a real newline in the code)
// so a runtime error names the template line it came from.
import type { TemplatePiece } from './parse';

function quoteLua(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 32 || c === 127) out += '\\' + String(c).padStart(3, '0');
    else out += ch;
  }
  return out + '"';
}

/** Newlines that a literal consumed, re-emitted in the code so later lines keep their numbers. */
function lineBreaks(text: string): string {
  const n = text.split('\n').length - 1;
  return n > 0 ? '\n'.repeat(n) : '';
}

/**
 * Source of a chunk that, run once in the global environment, returns `function(_ENV)` rendering
 * the template to a string. nil and false render "" (Penlight semantics); anything else tostring().
 */
export function templateToLuaSource(pieces: readonly TemplatePiece[]): string {
  const prelude = 'local __tostring, __concat = tostring, table.concat; return function(_ENV) ';
  const hasLuaLines = pieces.some((p) => p.kind === 'lua');
  if (!hasLuaLines) {
    if (pieces.length === 0) return prelude + 'return "" end';
    const parts = pieces.map((p) =>
      p.kind === 'text' ? quoteLua(p.text) + lineBreaks(p.text) : `__tostring((${p.code}) or "")`,
    );
    return prelude + 'return ' + parts.join(' .. ') + '\nend';
  }
  let code = prelude + 'local __b, __n = {}, 0; ';
  for (const p of pieces) {
    if (p.kind === 'lua') code += p.code + '\n';
    else if (p.kind === 'text') code += `__n = __n + 1; __b[__n] = ${quoteLua(p.text)}; ` + lineBreaks(p.text);
    else code += `__n = __n + 1; __b[__n] = __tostring((${p.code}) or ""); `;
  }
  return code + 'return __concat(__b, "", 1, __n)\nend';
}

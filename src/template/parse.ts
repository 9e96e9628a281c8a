// Splits a template into literal text, `$(...)` expressions and `#` Lua lines, following the rules
// of the Penlight templates Kong's transformer plugins use: an expression is `$` followed by a
// balanced parenthesised group (every `(` and `)` counts, even inside strings); a `$(` without a
// balanced group is literal text; a line whose first character is `#` is Lua statement code.

export type TemplatePiece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'expr'; readonly code: string }
  | { readonly kind: 'lua'; readonly code: string };

export function hasTemplateSyntax(text: string): boolean {
  return text.includes('$(') || text.startsWith('#') || text.includes('\n#');
}

/** Index just past the `)` closing the group opened at `open`, or -1 when unbalanced. */
function balancedEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 /* ( */) depth++;
    else if (c === 41 /* ) */ && --depth === 0) return i + 1;
  }
  return -1;
}

function splitInline(line: string, out: TemplatePiece[]): void {
  let pos = 0;
  let textStart = 0;
  while (pos < line.length) {
    const at = line.indexOf('$(', pos);
    if (at < 0) break;
    const end = balancedEnd(line, at + 1);
    if (end < 0) break;
    if (at > textStart) out.push({ kind: 'text', text: line.slice(textStart, at) });
    out.push({ kind: 'expr', code: line.slice(at + 2, end - 1) });
    pos = textStart = end;
  }
  if (textStart < line.length) out.push({ kind: 'text', text: line.slice(textStart) });
}

export function parseTemplate(template: string): TemplatePiece[] {
  const pieces: TemplatePiece[] = [];
  // Expressions may span lines, so only split off `#` lines; everything between them is inline text.
  const lines = template.split(/(?<=\n)/);
  let inline = '';
  for (const line of lines) {
    if (line.startsWith('#')) {
      if (inline) splitInline(inline, pieces);
      inline = '';
      pieces.push({ kind: 'lua', code: line.replace(/^#+/, '').replace(/\n$/, '') });
    } else {
      inline += line;
    }
  }
  if (inline) splitInline(inline, pieces);
  return mergeText(pieces);
}

function mergeText(pieces: TemplatePiece[]): TemplatePiece[] {
  const out: TemplatePiece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (p.kind === 'text' && last && last.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + p.text };
    else out.push(p);
  }
  return out;
}

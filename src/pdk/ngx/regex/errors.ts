// A pattern ngx.re cannot compile: PCRE syntax errors and PCRE features luagate does not translate.
export class RegexSyntaxError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RegexSyntaxError';
  }
}

/** Internal: the pattern turns case-insensitivity off somewhere, so the JS `i` flag cannot be used. */
export class CaselessScopeConflict extends Error {}

/** A match ran past its time limit and was stopped (PCRE's match limit: ngx.re returns nil, err). */
export class RegexMatchLimitError extends Error {
  /** `callOverBudget`: not run at all, the Lua call asking for it had already used its budget. */
  constructor(readonly limitMs: number, readonly callOverBudget = false) {
    super(callOverBudget ? 'match not run: the Lua call is over its time budget' : `match stopped after ${limitMs} ms`);
    this.name = 'RegexMatchLimitError';
  }
}

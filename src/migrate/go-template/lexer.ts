// A lexer for Go's text/template syntax, following text/template/parse/lex.go:
// text between actions (already trimmed where `{{-` / `-}}` ask for it),
// and inside actions the tokens of pipelines. Delimiters are configurable,
// as consul-template's left_delimiter/right_delimiter are.

export type TokenKind =
  | 'text' | 'left' | 'right' | 'comment' | 'space' | 'leftParen' | 'rightParen' | 'pipe'
  | 'declare' | 'assign' | 'comma' | 'string' | 'rawString' | 'char' | 'number' | 'bool' | 'nil'
  | 'identifier' | 'field' | 'variable' | 'dot' | 'keyword' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The token's text; for strings, the decoded value is in `value`. */
  text: string;
  value?: string;
  line: number;
}

export interface Delimiters {
  left: string;
  right: string;
}

export const GO_DELIMITERS: Delimiters = { left: '{{', right: '}}' };

export const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

/** A syntax error with the line it happened on. */
export class GoTemplateSyntaxError extends Error {
  override readonly name = 'GoTemplateSyntaxError';
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string): boolean => c === '_' || /^[\p{L}\p{Nd}]$/u.test(c);

/** Go's text/template trims exactly these (ASCII space, tab, CR, LF). */
const trimRightSpace = (s: string): string => s.replace(/[ \t\r\n]+$/, '');
const trimLeftSpace = (s: string): string => s.replace(/^[ \t\r\n]+/, '');

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** Decodes a Go interpreted string or rune literal body (strconv.Unquote). */
export const unquoteGo = (body: string, line: number): string => {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i] ?? '';
    if (e in ESCAPES) out += ESCAPES[e];
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new GoTemplateSyntaxError(line, `bad escape \\${e}${hex}`);
      out += e === 'x' ? String.fromCharCode(parseInt(hex, 16)) : String.fromCodePoint(parseInt(hex, 16));
      i += n;
    } else if (/^[0-7]$/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new GoTemplateSyntaxError(line, `bad octal escape \\${oct}`);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else throw new GoTemplateSyntaxError(line, `unknown escape sequence \\${e}`);
  }
  return out;
};

class Lexer {
  private pos = 0;
  private line = 1;
  private readonly tokens: Token[] = [];
  private parenDepth = 0;

  constructor(
    private readonly input: string,
    private readonly delims: Delimiters,
  ) {}

  run(): Token[] {
    let trimNextText = false;
    while (this.pos <= this.input.length) {
      const at = this.input.indexOf(this.delims.left, this.pos);
      const end = at < 0 ? this.input.length : at;
      let text = this.input.slice(this.pos, end);
      const textLine = this.line;
      if (trimNextText) text = trimLeftSpace(text);
      const trimBefore = at >= 0 && this.hasLeftTrim(at + this.delims.left.length);
      if (trimBefore) text = trimRightSpace(text);
      if (text.length > 0) this.tokens.push({ kind: 'text', text, line: textLine });
      this.advanceTo(end);
      if (at < 0) break;
      trimNextText = this.lexAction(trimBefore);
    }
    this.tokens.push({ kind: 'eof', text: '', line: this.line });
    return this.tokens;
  }

  private hasLeftTrim(after: number): boolean {
    return this.input[after] === '-' && isSpace(this.input[after + 1] ?? '');
  }

  private advanceTo(pos: number): void {
    for (let i = this.pos; i < pos; i++) if (this.input[i] === '\n') this.line++;
    this.pos = pos;
  }

  private fail(detail: string): never {
    throw new GoTemplateSyntaxError(this.line, detail);
  }

  /** Lexes one action from its left delimiter; returns whether it ended with `-}}`. */
  private lexAction(trimmed: boolean): boolean {
    const startLine = this.line;
    this.advanceTo(this.pos + this.delims.left.length + (trimmed ? 2 : 0));
    // A comment is the whole action: {{/* ... */}}.
    if (this.input.startsWith('/*', this.pos)) return this.lexComment(startLine);
    this.tokens.push({ kind: 'left', text: this.delims.left, line: startLine });
    this.parenDepth = 0;
    for (;;) {
      const rightTrim = this.atRightTrim();
      if (rightTrim || this.input.startsWith(this.delims.right, this.pos)) {
        if (this.parenDepth > 0) this.fail('unclosed left paren');
        if (rightTrim) this.advanceTo(this.pos + 2);
        this.tokens.push({ kind: 'right', text: this.delims.right, line: this.line });
        this.advanceTo(this.pos + this.delims.right.length);
        return rightTrim;
      }
      if (this.pos >= this.input.length) throw new GoTemplateSyntaxError(startLine, 'unclosed action');
      this.lexInsideAction();
    }
  }

  private atRightTrim(): boolean {
    return isSpace(this.input[this.pos] ?? '') && this.input[this.pos + 1] === '-' && this.input.startsWith(this.delims.right, this.pos + 2);
  }

  private lexComment(startLine: number): boolean {
    const close = this.input.indexOf('*/', this.pos + 2);
    if (close < 0) this.fail('unclosed comment');
    const body = this.input.slice(this.pos + 2, close);
    this.advanceTo(close + 2);
    const rightTrim = this.atRightTrim();
    if (rightTrim) this.advanceTo(this.pos + 2);
    if (!this.input.startsWith(this.delims.right, this.pos)) this.fail('comment ends before closing delimiter');
    this.advanceTo(this.pos + this.delims.right.length);
    this.tokens.push({ kind: 'comment', text: body, line: startLine });
    return rightTrim;
  }

  private push(kind: TokenKind, start: number, value?: string): void {
    const text = this.input.slice(start, this.pos);
    this.tokens.push(value === undefined ? { kind, text, line: this.line } : { kind, text, value, line: this.line });
  }

  private lexInsideAction(): void {
    const start = this.pos;
    const c = this.input[this.pos] as string;
    const next = this.input[this.pos + 1] ?? '';
    if (isSpace(c)) {
      let end = this.pos;
      while (isSpace(this.input[end] ?? '') && !this.atRightTrimFrom(end)) end++;
      const line = this.line;
      this.advanceTo(end === this.pos ? this.pos + 1 : end);
      this.tokens.push({ kind: 'space', text: this.input.slice(start, this.pos), line });
      return;
    }
    this.pos++;
    if (c === '=') return this.push('assign', start);
    if (c === ':') {
      if (next !== '=') this.fail('expected :=');
      this.pos++;
      return this.push('declare', start);
    }
    if (c === '|') return this.push('pipe', start);
    if (c === ',') return this.push('comma', start);
    if (c === '"') return this.lexQuoted(start, '"', 'string');
    if (c === '`') return this.lexRawQuote(start);
    if (c === "'") return this.lexQuoted(start, "'", 'char');
    if (c === '$') return this.lexWord(start, 'variable');
    if (c === '.') {
      if (/[0-9]/.test(next)) return this.lexNumber(start);
      return this.lexWord(start, 'field');
    }
    if (c === '+' || c === '-' || /[0-9]/.test(c)) return this.lexNumber(start);
    if (isAlphaNumeric(c)) return this.lexWord(start, 'identifier');
    if (c === '(') {
      this.parenDepth++;
      return this.push('leftParen', start);
    }
    if (c === ')') {
      if (--this.parenDepth < 0) this.fail('unexpected right paren');
      return this.push('rightParen', start);
    }
    this.fail(`unrecognized character in action: ${JSON.stringify(c)}`);
  }

  private atRightTrimFrom(pos: number): boolean {
    return isSpace(this.input[pos] ?? '') && this.input[pos + 1] === '-' && this.input.startsWith(this.delims.right, pos + 2);
  }

  /** `$x`, `.Field`, identifiers and keywords; a lone `.` is dot, a lone `$` the root variable. */
  private lexWord(start: number, kind: 'variable' | 'field' | 'identifier'): void {
    while (isAlphaNumeric(this.input[this.pos] ?? '')) this.pos++;
    const word = this.input.slice(start, this.pos);
    if (kind === 'field' && word === '.') return this.push('dot', start);
    if (kind !== 'identifier') return this.push(kind, start);
    if (KEYWORDS.has(word)) return this.push('keyword', start);
    if (word === 'true' || word === 'false') return this.push('bool', start);
    if (word === 'nil') return this.push('nil', start);
    return this.push('identifier', start);
  }

  private lexNumber(start: number): void {
    const rest = this.input.slice(start);
    const m = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?)i?/.exec(rest);
    if (!m || isAlphaNumeric(rest[m[0].length] ?? '')) this.fail(`bad number syntax: ${JSON.stringify(rest.slice(0, 10))}`);
    this.pos = start + m[0].length;
    this.push('number', start);
  }

  /** "…" strings and '…' character constants: Go escapes, one line. */
  private lexQuoted(start: number, quote: string, kind: 'string' | 'char'): void {
    while (this.input[this.pos] !== quote) {
      const c = this.input[this.pos];
      if (c === undefined || c === '\n') this.fail(kind === 'string' ? 'unterminated quoted string' : 'unterminated character constant');
      this.pos += c === '\\' ? 2 : 1;
    }
    this.pos++;
    this.push(kind, start, unquoteGo(this.input.slice(start + 1, this.pos - 1), this.line));
  }

  private lexRawQuote(start: number): void {
    const close = this.input.indexOf('`', this.pos);
    if (close < 0) this.fail('unterminated raw quoted string');
    const value = this.input.slice(start + 1, close).replace(/\r/g, '');
    const line = this.line;
    this.advanceTo(close + 1);
    this.tokens.push({ kind: 'rawString', text: this.input.slice(start, this.pos), value, line });
  }
}

/** Splits a template into tokens; throws GoTemplateSyntaxError. */
export const lexGoTemplate = (input: string, delims: Delimiters = GO_DELIMITERS): Token[] => new Lexer(input, delims).run();

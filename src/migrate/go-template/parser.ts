// A recursive-descent parser for Go's text/template, following
// text/template/parse/parse.go: lists of text and actions, control structures
// closed by {{end}}, pipelines of commands, and `define`/`block` templates.
import type { BranchNode, CommandNode, GoTemplate, Node, Operand, PipeNode } from './ast.js';
import { GO_DELIMITERS, GoTemplateSyntaxError, lexGoTemplate } from './lexer.js';
import type { Delimiters, Token, TokenKind } from './lexer.js';

type Ending = 'end' | 'else' | 'eof';

class Parser {
  private i = 0;
  private readonly defines = new Map<string, Node[]>();
  /** Variables in scope, innermost last; `$` is always there. */
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): GoTemplate {
    const { list, ending } = this.itemList();
    if (ending.kind !== 'eof') this.fail(ending.token, `unexpected {{${ending.kind}}}`);
    return { root: list, defines: this.defines };
  }

  private peek(skipSpace = true): Token {
    let j = this.i;
    while (skipSpace && this.tokens[j]?.kind === 'space') j++;
    return this.tokens[j] as Token;
  }

  private next(skipSpace = true): Token {
    while (skipSpace && this.tokens[this.i]?.kind === 'space') this.i++;
    return this.tokens[this.i++] as Token;
  }

  private fail(token: Token, detail: string): never {
    throw new GoTemplateSyntaxError(token.line, detail);
  }

  private expect(kind: TokenKind, context: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, `unexpected ${describe(t)} in ${context}`);
    return t;
  }

  /** Nodes until {{end}}, {{else}} or the end of input; the ending token is consumed. */
  private itemList(): { list: Node[]; ending: { kind: Ending; token: Token } } {
    const list: Node[] = [];
    for (;;) {
      const t = this.next(false);
      if (t.kind === 'eof') return { list, ending: { kind: 'eof', token: t } };
      if (t.kind === 'text') list.push({ type: 'text', line: t.line, text: t.text });
      else if (t.kind === 'comment') list.push({ type: 'comment', line: t.line, text: t.text });
      else if (t.kind === 'left') {
        const k = this.peek();
        if (k.kind === 'keyword' && (k.text === 'end' || k.text === 'else')) {
          this.next();
          return { list, ending: { kind: k.text, token: k } };
        }
        const node = this.action();
        if (node) list.push(node);
      } else this.fail(t, `unexpected ${describe(t)}`);
    }
  }

  private action(): Node | undefined {
    const t = this.peek();
    if (t.kind === 'keyword') {
      this.next();
      switch (t.text) {
        case 'if':
        case 'range':
        case 'with':
          return this.control(t.text, t);
        case 'define':
          this.define(t);
          return undefined;
        case 'block':
          return this.block(t);
        case 'template':
          return this.templateCall(t);
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(t, `{{${t.text}}} outside {{range}}`);
          this.expect('right', t.text);
          return { type: t.text, line: t.line };
      }
    }
    const pipe = this.pipeline('command', true);
    return { type: 'action', line: t.line, pipe };
  }

  private control(kind: BranchNode['type'], start: Token): BranchNode {
    const saved = this.vars.length;
    const pipe = this.pipeline(kind, kind === 'range' ? 'range' : true);
    if (kind === 'range') this.rangeDepth++;
    const body = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    const node: BranchNode = { type: kind, line: start.line, pipe, list: body.list };
    if (body.ending.kind === 'eof') this.fail(start, `unexpected EOF: {{${kind}}} without {{end}}`);
    if (body.ending.kind === 'else') {
      const chained = this.peek();
      if ((kind === 'if' || kind === 'with') && chained.kind === 'keyword' && chained.text === kind) {
        // {{else if x}} is {{else}}{{if x}}…{{end}}{{end}} sharing one {{end}}.
        this.next();
        node.elseList = [this.control(kind, chained)];
        node.elseChain = true;
        this.vars.length = saved;
        return node;
      }
      this.expect('right', 'else');
      const alt = this.itemList();
      if (alt.ending.kind !== 'end') this.fail(start, `expected {{end}} for {{${kind}}}`);
      node.elseList = alt.list;
    }
    this.expect('right', 'end');
    this.vars.length = saved;
    return node;
  }

  private stringName(context: string): string {
    const t = this.next();
    if (t.kind !== 'string' && t.kind !== 'rawString') this.fail(t, `expected a quoted name in ${context}`);
    return t.value ?? '';
  }

  private define(start: Token): void {
    const name = this.stringName('define');
    this.expect('right', 'define');
    const saved = this.vars;
    this.vars = ['$'];
    const body = this.itemList();
    this.vars = saved;
    if (body.ending.kind !== 'end') this.fail(start, `expected {{end}} for {{define ${JSON.stringify(name)}}}`);
    this.expect('right', 'end');
    this.addDefine(start, name, body.list);
  }

  private addDefine(start: Token, name: string, list: Node[]): void {
    const empty = list.every((n) => n.type === 'text' && n.text.trim() === '' || n.type === 'comment');
    if (this.defines.has(name) && !empty) this.fail(start, `template: multiple definition of template ${JSON.stringify(name)}`);
    if (!this.defines.has(name) || !empty) this.defines.set(name, list);
  }

  private block(start: Token): Node {
    const name = this.stringName('block');
    const pipe = this.pipeline('block', false);
    const saved = this.vars;
    this.vars = ['$'];
    const body = this.itemList();
    this.vars = saved;
    if (body.ending.kind !== 'end') this.fail(start, `expected {{end}} for {{block ${JSON.stringify(name)}}}`);
    this.expect('right', 'end');
    this.addDefine(start, name, body.list);
    return { type: 'template', line: start.line, name, pipe };
  }

  private templateCall(start: Token): Node {
    const name = this.stringName('template');
    if (this.peek().kind === 'right') {
      this.next();
      return { type: 'template', line: start.line, name };
    }
    return { type: 'template', line: start.line, name, pipe: this.pipeline('template', false) };
  }

  /**
   * A pipeline up to the closing delimiter, with an optional declaration:
   * `$x := …`, `$x = …`, and in range `$i, $e := …`.
   */
  private pipeline(context: string, decls: boolean | 'range'): PipeNode {
    const first = this.peek();
    const pipe: PipeNode = { type: 'pipe', line: first.line, decl: [], isAssign: false, cmds: [] };
    if (decls !== false && first.kind === 'variable') this.declarations(pipe, decls === 'range');
    for (;;) {
      const t = this.peek();
      if (t.kind === 'right') {
        this.next();
        break;
      }
      if (t.kind === 'rightParen') {
        if (context !== 'parenthesized') this.fail(t, `unexpected ) in ${context}`);
        this.next();
        break;
      }
      pipe.cmds.push(this.command(context));
      const after = this.peek();
      if (after.kind === 'pipe') this.next();
      else if (after.kind !== 'right' && after.kind !== 'rightParen') this.fail(after, `unexpected ${describe(after)} in operand`);
    }
    if (pipe.cmds.length === 0) this.fail(first, `missing value for ${context}`);
    for (const cmd of pipe.cmds.slice(1)) {
      const head = cmd.args[0];
      if (head && head.type !== 'identifier' && head.type !== 'field' && head.type !== 'chain' && head.type !== 'variable') {
        this.fail(first, `non executable command in pipeline stage`);
      }
    }
    if (!pipe.isAssign) this.vars.push(...pipe.decl);
    return pipe;
  }

  private declarations(pipe: PipeNode, inRange: boolean): void {
    const save = this.i;
    const v = this.next();
    const op = this.peek();
    if (op.kind === 'declare' || op.kind === 'assign') {
      this.next();
      pipe.decl.push(v.text);
      pipe.isAssign = op.kind === 'assign';
      if (pipe.isAssign && !this.vars.includes(v.text)) this.fail(v, `undefined variable ${JSON.stringify(v.text)}`);
      return;
    }
    if (op.kind === 'comma' && inRange) {
      this.next();
      const second = this.next();
      if (second.kind !== 'variable') this.fail(second, 'range can only initialize variables');
      const op2 = this.next();
      if (op2.kind !== 'declare' && op2.kind !== 'assign') this.fail(op2, 'expected := after range variables');
      pipe.decl.push(v.text, second.text);
      pipe.isAssign = op2.kind === 'assign';
      return;
    }
    this.i = save;
  }

  private command(context: string): CommandNode {
    const start = this.peek();
    const cmd: CommandNode = { type: 'command', line: start.line, args: [] };
    for (;;) {
      const t = this.peek(false);
      if (t.kind === 'space') {
        this.next(false);
        continue;
      }
      if (t.kind === 'right' || t.kind === 'rightParen' || t.kind === 'pipe') break;
      cmd.args.push(this.operand(context));
      const after = this.peek(false);
      if (after.kind !== 'space' && after.kind !== 'right' && after.kind !== 'rightParen' && after.kind !== 'pipe') {
        this.fail(after, `unexpected ${describe(after)} in operand`);
      }
    }
    if (cmd.args.length === 0) this.fail(start, 'empty command');
    return cmd;
  }

  /** A term, then any `.Field` chain on it. */
  private operand(context: string): Operand {
    const term = this.term(context);
    const fields: string[] = [];
    while (this.peek(false).kind === 'field') fields.push(this.next(false).text.slice(1));
    if (fields.length === 0) return term;
    if (term.type === 'field') return { ...term, fields: [...term.fields, ...fields] };
    if (term.type === 'variable') return { ...term, fields: [...term.fields, ...fields] };
    if (term.type === 'bool' || term.type === 'string' || term.type === 'number' || term.type === 'nil' || term.type === 'dot') {
      this.fail(this.tokens[this.i - 1] as Token, `unexpected . after term ${JSON.stringify(termText(term))}`);
    }
    return { type: 'chain', line: term.line, node: term, fields };
  }

  private term(context: string): Operand {
    const t = this.next(false);
    switch (t.kind) {
      case 'identifier':
        return { type: 'identifier', line: t.line, name: t.text };
      case 'dot':
        return { type: 'dot', line: t.line };
      case 'nil':
        return { type: 'nil', line: t.line };
      case 'bool':
        return { type: 'bool', line: t.line, value: t.text === 'true' };
      case 'number':
        return { type: 'number', line: t.line, text: t.text };
      case 'char':
        return { type: 'number', line: t.line, text: String(t.value?.codePointAt(0) ?? 0) };
      case 'string':
      case 'rawString':
        return { type: 'string', line: t.line, value: t.value ?? '', raw: t.kind === 'rawString' };
      case 'field':
        return { type: 'field', line: t.line, fields: [t.text.slice(1)] };
      case 'variable': {
        const name = t.text;
        if (!this.vars.includes(name)) this.fail(t, `undefined variable ${JSON.stringify(name)}`);
        return { type: 'variable', line: t.line, name, fields: [] };
      }
      case 'leftParen':
        return this.pipeline('parenthesized', false);
      default:
        return this.fail(t, `unexpected ${describe(t)} in ${context}`);
    }
  }
}

const termText = (o: Operand): string => (o.type === 'string' ? o.value : o.type === 'number' ? o.text : o.type);

const describe = (t: Token): string => {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'right') return `"${t.text}"`;
  return `${t.kind} ${JSON.stringify(t.text)}`;
};

/** Parses a Go template; throws GoTemplateSyntaxError naming the line. */
export const parseGoTemplate = (source: string, delims: Delimiters = GO_DELIMITERS): GoTemplate =>
  new Parser(lexGoTemplate(source, delims)).parse();

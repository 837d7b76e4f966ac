// Turns a parsed Go template into a switchyard (Handlebars) template that
// renders the same bytes: text is written as it is (Go's trim markers were
// applied by the lexer) under the go-whitespace pragma, so Handlebars'
// standalone-line rule does not touch it; Go's control structures become
// block helpers; functions follow the mapping table; variables become block
// parameters. What cannot be converted is reported and left in the output as
// {{unconverted "…"}}, which fails the render naming the construct.
import { allHelpers } from '../template/helpers/index.js';
import type { BranchNode, CommandNode, GoTemplate, Node, Operand, PipeNode } from './go-template/ast.js';
import type { Dialect, FunctionMapping } from './functions.js';
import { FUNCTION_TABLES } from './functions.js';
import { parseServiceQuery } from '../template/helpers/consul-template.js';

/** Must match GO_WHITESPACE_PRAGMA in src/template/engine.ts (a unit test checks). */
export const PRAGMA = '{{!-- switchyard:go-whitespace --}}';

export interface Problem {
  line: number;
  /** The construct as the original wrote it, shortened. */
  construct: string;
  reason: string;
}

/** A piece of output: text to escape, or a Handlebars tag. */
type Part = { text: string } | { tag: string };

/** An expression: `call` when it is a helper call (parenthesized when nested). */
interface Expr {
  text: string;
  call: boolean;
}

const HANDLEBARS_BUILTINS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log', 'this', 'true', 'false', 'null', 'undefined', 'else']);

const needsThis = (name: string): boolean => name in allHelpers || HANDLEBARS_BUILTINS.has(name);

const quote = (value: string): string | undefined => (value.endsWith('\\') ? undefined : `"${value.replace(/"/g, '\\"')}"`);

const nested = (e: Expr): string => (e.call ? `(${e.text})` : e.text);

class Unconvertible extends Error {
  constructor(
    readonly line: number,
    readonly construct: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const describeOperand = (o: Operand): string => {
  switch (o.type) {
    case 'identifier':
      return o.name;
    case 'field':
      return `.${o.fields.join('.')}`;
    case 'variable':
      return [o.name, ...o.fields].join('.');
    case 'string':
      return JSON.stringify(o.value);
    case 'number':
      return o.text;
    case 'bool':
      return String(o.value);
    case 'chain':
      return `${describeOperand(o.node)}.${o.fields.join('.')}`;
    case 'pipe':
      return `(${describePipe(o)})`;
    default:
      return o.type === 'dot' ? '.' : 'nil';
  }
};

const describeCommand = (c: CommandNode): string => c.args.map(describeOperand).join(' ');
const describePipe = (p: PipeNode): string =>
  (p.decl.length ? `${p.decl.join(', ')} ${p.isAssign ? '=' : ':='} ` : '') + p.cmds.map(describeCommand).join(' | ');

class Emitter {
  readonly problems: Problem[] = [];
  private readonly inlining: string[] = [];
  private readonly table: ReadonlyMap<string, FunctionMapping>;

  constructor(
    private readonly template: GoTemplate,
    private readonly dialect: Dialect,
  ) {
    this.table = FUNCTION_TABLES[dialect];
  }

  /** Runs emit; when it finds something unconvertible, records it and returns the marker instead. */
  private attempt(line: number, construct: string, emit: () => Part[]): { parts: Part[]; failed: boolean } {
    try {
      return { parts: emit(), failed: false };
    } catch (err) {
      if (!(err instanceof Unconvertible)) throw err;
      const problem = { line: err.line || line, construct: err.construct || construct, reason: err.reason };
      this.problems.push(problem);
      const marker = quote(`line ${problem.line}: ${problem.construct}: ${problem.reason}`.replace(/\\/g, '/')) ?? '""';
      return { parts: [{ tag: `{{unconverted ${marker}}}` }], failed: true };
    }
  }

  /** A node that failed becomes a marker; the rest goes on. */
  private guarded(line: number, construct: string, emit: () => Part[]): Part[] {
    return this.attempt(line, construct, emit).parts;
  }

  list(nodes: readonly Node[], declared: Set<string> = new Set()): Part[] {
    const parts: Part[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as Node;
      if (node.type !== 'action' || node.pipe.decl.length === 0) {
        parts.push(...this.node(node));
        continue;
      }
      // Go's variable lives to the end of the enclosing list: a block around the rest.
      const pipe = node.pipe;
      const name = pipe.decl[0] as string;
      const head = this.attempt(node.line, describePipe(pipe), () => {
        if (pipe.isAssign && !declared.has(name)) {
          throw new Unconvertible(node.line, describePipe(pipe), 'assigning a variable declared outside this block');
        }
        return [{ tag: `{{#let ${nested(this.pipe({ ...pipe, decl: [] }, false))} as |${name}|}}` }];
      });
      parts.push(...head.parts);
      if (!head.failed) return [...parts, ...this.list(nodes.slice(i + 1), new Set(declared).add(name)), { tag: '{{/let}}' }];
    }
    return parts;
  }

  private node(node: Node): Part[] {
    switch (node.type) {
      case 'text':
        return [{ text: node.text }];
      case 'comment':
        return node.text.includes('--}}') ? [] : [{ tag: `{{!--${node.text}--}}` }];
      case 'action':
        return this.guarded(node.line, describePipe(node.pipe), () => this.output(node.pipe));
      case 'if':
      case 'with':
      case 'range':
        return this.branch(node);
      case 'template':
        return this.guarded(node.line, `template ${JSON.stringify(node.name)}`, () => this.inline(node.name, node.line, node.pipe));
      default:
        return this.guarded(node.line, node.type, () => {
          throw new Unconvertible(node.line, `{{${node.type}}}`, 'Handlebars loops cannot break or continue');
        });
    }
  }

  /** `{{pipeline}}`: a literal prints as text, as Go prints it. */
  private output(pipe: PipeNode): Part[] {
    const only = pipe.cmds.length === 1 ? pipe.cmds[0]?.args : undefined;
    const literal = only?.length === 1 ? only[0] : undefined;
    if (literal?.type === 'string') return [{ text: literal.value }];
    if (literal?.type === 'number' || literal?.type === 'bool') return [{ text: this.operand(literal).text }];
    return [{ tag: `{{${this.pipe(pipe, false).text}}}` }];
  }

  private branch(node: BranchNode): Part[] {
    if (node.type === 'if' && node.pipe.decl.length === 1 && !node.pipe.isAssign) return this.ifWithVariable(node);
    const helper = node.type === 'range' ? 'each' : node.type;
    const opening = this.attempt(node.line, `${node.type} ${describePipe(node.pipe)}`, () => [{ tag: `{{#${helper} ${this.blockHead(node)}}}` }]);
    if (opening.failed) return opening.parts;
    const parts = [...opening.parts, ...this.list(node.list)];
    let rest: BranchNode | undefined = node;
    // {{else if …}} chains stay chains: one closing tag.
    while (rest?.elseChain) {
      const chained = rest.elseList?.[0] as BranchNode;
      parts.push({ tag: `{{else ${chained.type} ${this.blockHead(chained)}}}` }, ...this.list(chained.list));
      rest = chained;
    }
    if (rest?.elseList) parts.push({ tag: '{{else}}' }, ...this.list(rest.elseList));
    parts.push({ tag: `{{/${helper}}}` });
    return parts;
  }

  /** `{{if $x := VALUE}}` is `{{#let VALUE as |$x|}}{{#if $x}}…{{/if}}{{/let}}`. */
  private ifWithVariable(node: BranchNode): Part[] {
    const name = node.pipe.decl[0] as string;
    const head = this.attempt(node.line, `if ${describePipe(node.pipe)}`, () => [
      { tag: `{{#let ${nested(this.pipe({ ...node.pipe, decl: [] }, false))} as |${name}|}}` },
    ]);
    if (head.failed) return head.parts;
    const line = node.line;
    const test: PipeNode = { type: 'pipe', line, decl: [], isAssign: false, cmds: [{ type: 'command', line, args: [{ type: 'variable', line, name, fields: [] }] }] };
    return [...head.parts, ...this.branch({ ...node, pipe: test }), { tag: '{{/let}}' }];
  }

  private blockHead(node: BranchNode): string {
    const { decl } = node.pipe;
    const value = nested(this.pipe({ ...node.pipe, decl: [] }, node.type === 'if'));
    if (decl.length === 0) return value;
    if (node.type === 'if' || node.pipe.isAssign) throw new Unconvertible(node.line, describePipe(node.pipe), 'a variable set in this position');
    // Go: range $i, $e := …; Handlebars: as |$e $i|.
    const params = decl.length === 2 ? `${decl[1]} ${decl[0]}` : decl[0];
    return `${value} as |${params}|`;
  }

  private inline(name: string, line: number, pipe: PipeNode | undefined): Part[] {
    const body = this.template.defines.get(name);
    if (!body) throw new Unconvertible(line, `template ${JSON.stringify(name)}`, 'no such template');
    if (this.inlining.includes(name)) throw new Unconvertible(line, `template ${JSON.stringify(name)}`, 'a template that calls itself');
    this.inlining.push(name);
    try {
      const value = pipe ? nested(this.pipe(pipe, false)) : 'null';
      return [{ tag: `{{#let ${value}}}` }, ...this.list(body), { tag: '{{/let}}' }];
    } finally {
      this.inlining.pop();
    }
  }

  private pipe(pipe: PipeNode, condition: boolean): Expr {
    if (pipe.decl.length > 0) throw new Unconvertible(pipe.line, describePipe(pipe), 'a variable declared inside an expression');
    let acc: Expr | undefined;
    pipe.cmds.forEach((cmd, i) => {
      acc = this.command(cmd, acc, condition && i === pipe.cmds.length - 1);
    });
    return acc as Expr;
  }

  private command(cmd: CommandNode, piped: Expr | undefined, condition: boolean): Expr {
    const [head, ...rest] = cmd.args as [Operand, ...Operand[]];
    if (head.type === 'identifier') return this.call(head.name, rest.map((o) => this.operandArg(o, head.name)), cmd, piped, condition, rest);
    // confd: datetime.Format "LAYOUT"
    if (head.type === 'chain' && head.node.type === 'identifier' && head.node.name === 'datetime' && head.fields.join('.') === 'Format') {
      return this.call('datetime', rest.map((o) => this.operandArg(o, 'datetime')), cmd, piped, condition, rest);
    }
    if (rest.length > 0 || piped) throw new Unconvertible(cmd.line, describeCommand(cmd), 'method calls on values are not supported');
    return this.operand(head);
  }

  private operandArg(o: Operand, fn: string): Expr {
    // Inside and/or/not, truthiness is all that counts: the boolean helpers do.
    return o.type === 'pipe' ? this.pipe(o, fn === 'and' || fn === 'or' || fn === 'not') : this.operand(o);
  }

  private call(name: string, given: Expr[], cmd: CommandNode, piped: Expr | undefined, condition: boolean, operands: Operand[]): Expr {
    const construct = describeCommand(cmd);
    const mapping = this.table.get(name);
    if (!mapping) throw new Unconvertible(cmd.line, construct, `unknown function ${JSON.stringify(name)}`);
    if (!mapping.helper) throw new Unconvertible(cmd.line, construct, mapping.note ?? 'not converted');
    const args = piped ? [...given, piped] : given;
    const literals: (Operand | undefined)[] = [...operands];
    if (mapping.key) {
      const first = literals[0];
      if (first?.type === 'string' && this.dialect === 'consul-template' && !first.value.startsWith('/')) {
        args[0] = { text: quote(`/${first.value}`) ?? args[0]?.text ?? '', call: false };
      }
    }
    if (name === 'service' && this.dialect === 'consul-template') this.checkServiceQuery(literals[0], cmd.line, construct);
    if (name === 'services' && this.dialect === 'consul-template' && args.length > 0) {
      throw new Unconvertible(cmd.line, construct, 'the service list of another datacenter is not converted');
    }
    if (name === 'timestamp' && literals[0]?.type === 'string' && literals[0].value === 'unix') {
      throw new Unconvertible(cmd.line, construct, 'the Unix time is not converted');
    }
    if (name === 'timestamp' && args.length === 0) args.push({ text: '"2006-01-02T15:04:05Z07:00"', call: false });
    if (name === 'eq' && args.length > 2) {
      const [first, ...others] = args as [Expr, ...Expr[]];
      return { text: `or ${others.map((o) => `(eq ${nested(first)} ${nested(o)})`).join(' ')}`, call: true };
    }
    const helper = (name === 'and' || name === 'or') && !condition ? `${name}Value` : mapping.helper;
    const ordered = mapping.order && args.length === mapping.order.length ? mapping.order.map((i) => args[i] as Expr) : args;
    return { text: [helper, ...ordered.map(nested)].join(' '), call: true };
  }

  private checkServiceQuery(query: Operand | undefined, line: number, construct: string): void {
    if (query?.type !== 'string') return;
    try {
      parseServiceQuery(query.value);
    } catch (err) {
      throw new Unconvertible(line, construct, (err as Error).message);
    }
  }

  private operand(o: Operand): Expr {
    switch (o.type) {
      case 'identifier':
        return this.call(o.name, [], { type: 'command', line: o.line, args: [o] }, undefined, false, []);
      case 'dot':
        return { text: 'this', call: false };
      case 'nil':
        return { text: 'null', call: false };
      case 'bool':
        return { text: String(o.value), call: false };
      case 'number': {
        const n = Number(o.text.replace(/_/g, ''));
        const text = String(n);
        if (!/^-?[0-9]+(?:\.[0-9]+)?$/.test(text)) throw new Unconvertible(o.line, o.text, 'a number Handlebars cannot write');
        return { text, call: false };
      }
      case 'string': {
        const text = quote(o.value);
        if (text === undefined) throw new Unconvertible(o.line, JSON.stringify(o.value), 'a string ending in a backslash');
        return { text, call: false };
      }
      case 'field':
        return { text: (needsThis(o.fields[0] as string) ? ['this', ...o.fields] : o.fields).join('.'), call: false };
      case 'variable':
        return { text: [o.name === '$' ? '@root' : o.name, ...o.fields].join('.'), call: false };
      case 'chain': {
        let value = o.node.type === 'pipe' ? this.pipe(o.node, false) : this.operand(o.node);
        for (const field of o.fields) value = { text: `lookup ${nested(value)} ${quote(field) ?? '""'}`, call: true };
        return value;
      }
      case 'pipe':
        return this.pipe(o, false);
    }
  }
}

/** Text as Handlebars content: `{{` escaped; a backslash or a `{` before a tag taken care of. */
const joinParts = (parts: readonly Part[]): string => {
  let out = '';
  parts.forEach((part, i) => {
    if ('tag' in part) {
      out += part.tag;
      return;
    }
    let text = part.text.replace(/\{\{/g, '\\{{');
    const beforeTag = parts[i + 1] !== undefined && 'tag' in (parts[i + 1] as Part);
    if (beforeTag && text.endsWith('\\')) text += '\\';
    // "{" then "{{" would read as "{{{": the brace is printed by a tag of its own.
    if (beforeTag && text.endsWith('{')) text = `${text.slice(0, -1)}{{print "{"}}`;
    out += text;
  });
  return out;
};

export interface Converted {
  text: string;
  problems: Problem[];
}

/** Converts a parsed Go template of a dialect into switchyard's Handlebars. */
export const emitHandlebars = (template: GoTemplate, dialect: Dialect): Converted => {
  const emitter = new Emitter(template, dialect);
  const parts = emitter.list(template.root);
  return { text: PRAGMA + joinParts(parts), problems: emitter.problems };
};

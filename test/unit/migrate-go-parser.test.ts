import { describe, expect, it } from 'vitest';
import type { ActionNode, BranchNode, Node, Operand } from '../../src/migrate/go-template/ast.js';
import { GoTemplateSyntaxError, lexGoTemplate } from '../../src/migrate/go-template/lexer.js';
import { parseGoTemplate } from '../../src/migrate/go-template/parser.js';

const root = (source: string): Node[] => parseGoTemplate(source).root;
const only = <T extends Node>(source: string): T => {
  const nodes = root(source);
  expect(nodes).toHaveLength(1);
  return nodes[0] as T;
};
const args = (source: string): Operand[] => only<ActionNode>(source).pipe.cmds[0]?.args ?? [];
const syntaxError = (source: string): GoTemplateSyntaxError => {
  try {
    parseGoTemplate(source);
  } catch (err) {
    expect(err).toBeInstanceOf(GoTemplateSyntaxError);
    return err as GoTemplateSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
};

describe('Go template lexer', () => {
  it('trims around {{- and -}} exactly as Go does (space, tab, CR, LF only)', () => {
    const texts = lexGoTemplate('a \t\r\n{{- 1 -}} \n\u00a0b{{2}} c').filter((t) => t.kind === 'text').map((t) => t.text);
    expect(texts).toEqual(['a', '\u00a0b', ' c']);
  });

  it('does not take {{-3}} for a trim marker', () => {
    expect(args('{{-3}}')).toEqual([{ type: 'number', line: 1, text: '-3' }]);
  });

  it('decodes interpreted strings, keeps raw strings raw, and counts lines through them', () => {
    const tokens = lexGoTemplate('{{"a\\tb\\"\\u00e9" `x\\n\ny`}}\n{{.}}');
    expect(tokens.filter((t) => t.kind === 'string' || t.kind === 'rawString').map((t) => t.value)).toEqual(['a\tb"é', 'x\\n\ny']);
    expect(tokens.find((t) => t.kind === 'dot')?.line).toBe(3);
  });

  it('reads comments as whole actions, with trim markers', () => {
    const tokens = lexGoTemplate('a {{- /* note */ -}} b');
    expect(tokens.map((t) => t.kind)).toEqual(['text', 'comment', 'text', 'eof']);
    expect(tokens.map((t) => t.text)).toEqual(['a', ' note ', 'b', '']);
  });

  it('uses other delimiters when asked', () => {
    const tokens = lexGoTemplate('{{x}} [[ .A ]]', { left: '[[', right: ']]' });
    expect(tokens.map((t) => t.kind)).toEqual(['text', 'left', 'space', 'field', 'space', 'right', 'eof']);
  });
});

describe('Go template parser', () => {
  it('parses a function call with literal arguments', () => {
    expect(args('{{getv "/port" `80`}}')).toEqual([
      { type: 'identifier', line: 1, name: 'getv' },
      { type: 'string', line: 1, value: '/port', raw: false },
      { type: 'string', line: 1, value: '80', raw: true },
    ]);
  });

  it('parses pipelines and parenthesized pipelines', () => {
    const pipe = only<ActionNode>('{{getv "/a" | toUpper | printf "%s-%s" (base .Key)}}').pipe;
    expect(pipe.cmds.map((c) => c.args.length)).toEqual([2, 1, 3]);
    const paren = pipe.cmds[2]?.args[2];
    expect(paren?.type).toBe('pipe');
  });

  it('parses field chains on dot, variables and parenthesized values', () => {
    expect(args('{{.Service.Tags}}')).toEqual([{ type: 'field', line: 1, fields: ['Service', 'Tags'] }]);
    expect(args('{{$.A.B}}')).toEqual([{ type: 'variable', line: 1, name: '$', fields: ['A', 'B'] }]);
    const chain = args('{{(get "/a").Value}}')[0];
    expect(chain?.type).toBe('chain');
    expect(chain?.type === 'chain' && chain.fields).toEqual(['Value']);
  });

  it('parses declarations and assignments', () => {
    const nodes = root('{{$x := getv "/a"}}{{$x = "b"}}{{$x}}');
    const [decl, assign] = nodes as ActionNode[];
    expect(decl?.pipe.decl).toEqual(['$x']);
    expect(decl?.pipe.isAssign).toBe(false);
    expect(assign?.pipe.isAssign).toBe(true);
    expect(syntaxError('{{$y = 1}}').detail).toContain('undefined variable "$y"');
  });

  it('parses range with two variables and else', () => {
    const node = only<BranchNode>('{{range $i, $e := ls "/d"}}{{$i}}{{$e}}{{else}}none{{end}}');
    expect(node.type).toBe('range');
    expect(node.pipe.decl).toEqual(['$i', '$e']);
    expect(node.list).toHaveLength(2);
    expect(node.elseList).toEqual([{ type: 'text', line: 1, text: 'none' }]);
    expect(syntaxError('{{range ls "/d"}}{{end}}{{$e}}').detail).toContain('undefined variable "$e"');
  });

  it('parses if / else if / else as one chain closed by one end', () => {
    const node = only<BranchNode>('{{if eq .A "1"}}one{{else if eq .A "2"}}two{{else}}other{{end}}');
    expect(node.elseChain).toBe(true);
    const inner = node.elseList?.[0] as BranchNode;
    expect(inner.type).toBe('if');
    expect(inner.elseList).toEqual([{ type: 'text', line: 1, text: 'other' }]);
  });

  it('parses a variable declared by with or if, scoped to the block', () => {
    const node = only<BranchNode>('{{with $c := getv "/a"}}{{$c}}{{end}}');
    expect(node.pipe.decl).toEqual(['$c']);
    expect(syntaxError('{{with $c := getv "/a"}}{{end}}{{$c}}').detail).toContain('undefined variable "$c"');
  });

  it('parses with, define, template and block', () => {
    const t = parseGoTemplate('{{define "row"}}[{{.}}]{{end}}{{with getv "/a"}}{{template "row" .}}{{end}}{{block "tail" .}}t{{end}}');
    expect([...t.defines.keys()]).toEqual(['row', 'tail']);
    expect(t.root.map((n) => n.type)).toEqual(['with', 'template']);
  });

  it('keeps line numbers of nodes after multi-line text', () => {
    const nodes = root('a\nb\n{{getv "/x"}}\n{{if .}}\n{{end}}');
    expect(nodes.filter((n) => n.type !== 'text').map((n) => n.line)).toEqual([3, 4]);
  });

  it('reports errors with their line', () => {
    expect(syntaxError('a\n{{if .}}x').line).toBe(2);
    expect(syntaxError('{{end}}').detail).toContain('unexpected {{end}}');
    expect(syntaxError('\n\n{{getv "/a"').line).toBe(3);
    expect(syntaxError('{{break}}').detail).toContain('outside {{range}}');
    expect(syntaxError('{{getv "/a" )}}').detail).toContain('unexpected right paren');
  });
});

// The tree of a Go text/template, shaped like text/template/parse's nodes.

export interface TextNode { type: 'text'; line: number; text: string }
export interface CommentNode { type: 'comment'; line: number; text: string }

/** An operand: what a command's arguments are made of. */
export type Operand =
  | { type: 'identifier'; line: number; name: string }
  | { type: 'field'; line: number; fields: string[] }
  | { type: 'variable'; line: number; name: string; fields: string[] }
  | { type: 'dot'; line: number }
  | { type: 'nil'; line: number }
  | { type: 'bool'; line: number; value: boolean }
  | { type: 'number'; line: number; text: string }
  | { type: 'string'; line: number; value: string; raw: boolean }
  | { type: 'chain'; line: number; node: Operand; fields: string[] }
  | PipeNode;

/** One command of a pipeline: a function call or a single operand. */
export interface CommandNode { type: 'command'; line: number; args: Operand[] }

/** `$x := a | b c` — declarations (or assignments) and the commands. */
export interface PipeNode {
  type: 'pipe';
  line: number;
  /** Variable names declared or assigned, with `$`. */
  decl: string[];
  isAssign: boolean;
  cmds: CommandNode[];
}

export interface ActionNode { type: 'action'; line: number; pipe: PipeNode }

export interface BranchNode {
  type: 'if' | 'range' | 'with';
  line: number;
  pipe: PipeNode;
  list: Node[];
  elseList?: Node[];
  /** The else branch was written `{{else if …}}` / `{{else with …}}` (one node). */
  elseChain?: boolean;
}

export interface TemplateCallNode { type: 'template'; line: number; name: string; pipe?: PipeNode }
export interface LoopControlNode { type: 'break' | 'continue'; line: number }

export type Node = TextNode | CommentNode | ActionNode | BranchNode | TemplateCallNode | LoopControlNode;

/** A parsed file: the main list and every `define`d (or `block`) template by name. */
export interface GoTemplate {
  root: Node[];
  defines: Map<string, Node[]>;
}

// One Go template to one switchyard template, with what could not be converted.
import { emitHandlebars } from './emit-handlebars.js';
import type { Dialect } from './functions.js';
import { GoTemplateSyntaxError } from './go-template/lexer.js';
import type { Delimiters } from './go-template/lexer.js';
import { parseGoTemplate } from './go-template/parser.js';
import type { Finding } from './plan.js';

export interface ConvertedTemplate {
  /** The Handlebars text, or undefined when the original does not parse. */
  text?: string;
  findings: Finding[];
}

export const convertGoTemplate = (source: string, dialect: Dialect, file: string, delimiters?: Delimiters): ConvertedTemplate => {
  try {
    const { text, problems } = emitHandlebars(parseGoTemplate(source, delimiters), dialect);
    return { text, findings: problems.map((p) => ({ file, line: p.line, construct: p.construct, reason: p.reason })) };
  } catch (err) {
    if (!(err instanceof GoTemplateSyntaxError)) throw err;
    return { findings: [{ file, line: err.line, construct: 'template', reason: `does not parse: ${err.detail}` }] };
  }
};

// `.irsa` highlighting for CodeMirror from the language's TextMate grammar
// (generated from the compiler's tables by `cargo xtask vscode`, the one
// VS Code uses), run by the interpreter the book uses too.
import { StreamLanguage } from '@codemirror/language';
import grammar from '../../../editors/vscode/syntaxes/irsa.tmLanguage.json';
import highlight from '../../../book/irsa-highlight.js';

const { tokenizeLine, classOf } = highlight;

/** irsa-highlight.js's classes → CodeMirror's highlighting tags. */
const TAGS = {
  invalid: 'invalid',
  comment: 'comment',
  escape: 'escape',
  arn: 'link',
  string: 'string',
  operator: 'operator',
  keyword: 'keyword',
  setting: 'propertyName',
  service: 'typeName',
  wildcard: 'atom',
  constant: 'bool',
  name: 'variableName',
  brace: 'brace',
};

export const irsaLanguage = StreamLanguage.define({
  name: 'irsa',
  // The line's tokens, computed at its start (every token ends on its line).
  startState: () => ({ line: null, tokens: [] }),
  copyState: (state) => ({ line: state.line, tokens: state.tokens }),
  token(stream, state) {
    if (state.line !== stream.string) {
      state.line = stream.string;
      state.tokens = tokenizeLine(grammar, stream.string);
    }
    const token = state.tokens.find((t) => t.from <= stream.pos && stream.pos < t.to);
    if (!token) {
      stream.skipToEnd();
      return null;
    }
    stream.pos = token.to;
    return TAGS[classOf(token.scopes)] ?? null;
  },
  languageData: { commentTokens: { line: '#' } },
});

// `.irsa` highlighting for CodeMirror: a stream tokenizer for the
// line-oriented grammar (keywords, settings, `->`, strings, comments, ARNs).
import { StreamLanguage } from '@codemirror/language';
// The words come from the library's one table (irsa::language::WORDS),
// written by `cargo xtask playground` before it bundles this file.
import { STATEMENTS, SETTINGS, BINDINGS, BOOLEANS } from '../../../target/playground-gen/irsa-words.js';

const KEYWORDS = new Set([...STATEMENTS, ...BINDINGS]);
const SETTING_NAMES = new Set(SETTINGS);
const BOOLEAN_VALUES = new Set(BOOLEANS);

export const irsaLanguage = StreamLanguage.define({
  name: 'irsa',
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match('#')) { stream.skipToEnd(); return 'comment'; }
    if (stream.match('->')) return 'operator';
    if (stream.peek() === '"') {
      stream.next();
      let escaped = false;
      for (let c = stream.next(); c !== undefined; c = stream.next()) {
        if (c === '"' && !escaped) break;
        escaped = c === '\\' && !escaped;
      }
      return 'string';
    }
    if (stream.match(/^[{},]/)) return 'punctuation';
    if (stream.match('*')) return 'atom';
    const word = stream.match(/^[^\s#{},]+?(?=->|[\s#{},]|$)/);
    if (!word) { stream.next(); return null; }
    const text = word[0];
    if (KEYWORDS.has(text)) return 'keyword';
    if (SETTING_NAMES.has(text)) return 'propertyName';
    if (text.startsWith('arn:')) return 'link';
    if (BOOLEAN_VALUES.has(text)) return 'bool';
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});

// `.irsa` highlighting for CodeMirror: a stream tokenizer for the
// line-oriented grammar (keywords, settings, `->`, strings, comments, ARNs).
import { StreamLanguage } from '@codemirror/language';

const STATEMENTS = new Set(['spinnaker', 'namespace', 'operator', 'armory', 'account', 'partition', 'naming', 'oidc', 'defaults', 'service', 'role', 'as']);
const SETTINGS = new Set(['audience', 'sts-regional-endpoints', 'token-expiration', 'annotation', 'label']);

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
    if (STATEMENTS.has(text)) return 'keyword';
    if (SETTINGS.has(text)) return 'propertyName';
    if (text.startsWith('arn:')) return 'link';
    if (text === 'true' || text === 'false') return 'bool';
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});

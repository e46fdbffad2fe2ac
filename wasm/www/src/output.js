// The output panel's highlighting: YAML (the stream, kustomization.yaml,
// iam.yaml, CloudFormation) and JSON (trust policies, Terraform), written
// into the <pre> as spans, so that its text stays exactly the output. Two
// small stream modes for what irsa writes, instead of the full Lezer
// grammars, to keep the page light.
import { StreamLanguage } from '@codemirror/language';
import { highlightCode } from '@lezer/highlight';

function quoted(stream, quote) {
  let escaped = false;
  for (let c = stream.next(); c !== undefined; c = stream.next()) {
    if (c === quote && !escaped) return;
    escaped = quote === '"' && c === '\\' && !escaped;
  }
}

const yaml = StreamLanguage.define({
  name: 'yaml',
  startState: () => ({ block: -1 }),
  token(stream, state) {
    if (stream.sol()) {
      // Inside a block scalar (`key: |`): the more-indented lines are text.
      if (state.block >= 0 && (stream.indentation() > state.block || /^\s*$/.test(stream.string))) {
        stream.skipToEnd();
        return 'string';
      }
      state.block = -1;
      if (stream.match(/^(---|\.\.\.)\s*$/)) return 'meta';
    }
    if (stream.eatSpace()) return null;
    if (stream.match(/^#.*/)) return 'comment';
    if (stream.match(/^- /) || stream.match(/^-$/)) return 'punctuation';
    const key = stream.match(/^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s:#'"][^:#]*?)(?=:(?:\s|$))/);
    if (key) return 'propertyName';
    if (stream.match(/^:(?=\s|$)/)) {
      if (stream.match(/^\s*[|>][-+]?\s*$/, false)) state.block = stream.indentation();
      return 'punctuation';
    }
    const quote = stream.peek();
    if (quote === '"' || quote === "'") { stream.next(); quoted(stream, quote); return 'string'; }
    if (stream.match(/^[|>][-+]?\s*$/)) return 'punctuation';
    if (stream.match(/^(?:true|false|null|~)(?=\s*(?:#|$))/)) return 'bool';
    if (stream.match(/^-?\d+(?:\.\d+)?(?=\s*(?:#|$))/)) return 'number';
    if (stream.match(/^[[\]{},]/)) return 'punctuation';
    stream.match(/^[^#]*?(?=\s+#|$)/) || stream.skipToEnd();
    return 'string';
  },
});

const json = StreamLanguage.define({
  name: 'json',
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.peek() === '"') {
      stream.next();
      quoted(stream, '"');
      return stream.match(/^\s*:/, false) ? 'propertyName' : 'string';
    }
    if (stream.match(/^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/)) return 'number';
    if (stream.match(/^(?:true|false|null)\b/)) return 'bool';
    stream.next();
    return 'punctuation';
  },
});

/** The language of an output tab by its file name; null for plain text. */
export function languageOf(name) {
  if (/\.ya?ml$/.test(name)) return yaml;
  if (/\.json$/.test(name)) return json;
  return null;
}

/** Writes `text` into `element`, highlighted with `highlighter` when `language` is given. */
export function writeHighlighted(element, text, language, highlighter) {
  element.replaceChildren();
  if (!language) {
    element.textContent = text;
    return;
  }
  const fragment = document.createDocumentFragment();
  const tree = language.parser.parse(text);
  highlightCode(text, tree, highlighter, (piece, classes) => {
    if (!classes) {
      fragment.append(piece);
      return;
    }
    const span = document.createElement('span');
    span.className = classes;
    span.textContent = piece;
    fragment.append(span);
  }, () => fragment.append('\n'));
  element.append(fragment);
}

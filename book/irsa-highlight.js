// `.irsa` highlighting from the language's TextMate grammar (generated from
// the compiler's tables by `cargo xtask vscode`; irsa-grammar.js here, the
// same JSON as editors/vscode/syntaxes/irsa.tmLanguage.json): a small
// interpreter of the subset of TextMate that grammar uses, shared by the
// book (a classic script: window.IrsaHighlight) and the playground's editor
// (bundled: module.exports).
//
// The subset: `match` with `name` and `captures`, `begin`/`end` with `name`,
// `beginCaptures`, `endCaptures` and `patterns`, `include` of the
// repository. Every region ends on its line (the grammar is written so), so
// a line is tokenized on its own. As in TextMate, the earliest match wins,
// the first rule on a tie, and a region's end before its patterns.
// editors/vscode/test/examples.test.mjs checks that this gives the scopes
// vscode-textmate gives, on every dsl-example.
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.IrsaHighlight = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';
  const compiled = new Map();

  function regex(source) {
    let re = compiled.get(source);
    if (!re) {
      re = new RegExp(source, 'dg');
      compiled.set(source, re);
    }
    return re;
  }

  function exec(source, text, pos) {
    const re = regex(source);
    re.lastIndex = pos;
    return re.exec(text);
  }

  /** The rules of `patterns`, includes resolved. */
  function rules(grammar, patterns) {
    const out = [];
    for (const rule of patterns ?? []) {
      if (rule.include) {
        const name = rule.include.replace(/^#/, '');
        const target = rule.include === '$self' ? grammar : grammar.repository[name];
        if (!target) throw new Error(`irsa grammar: no rule ${rule.include}`);
        if (target.match || target.begin) out.push(target);
        else out.push(...rules(grammar, target.patterns));
      } else if (rule.match || rule.begin) {
        out.push(rule);
      } else {
        out.push(...rules(grammar, rule.patterns));
      }
    }
    return out;
  }

  /** Pushes the tokens of one match: its name over all of it, captures inside. */
  function emitMatch(out, scopes, match, name, captures) {
    const start = match.index;
    const end = start + match[0].length;
    const outer = name ? [...scopes, name] : scopes;
    const whole = captures?.[0]?.name;
    const base = whole ? [...outer, whole] : outer;
    let pos = start;
    for (let group = 1; group < match.length; group++) {
      const scope = captures?.[group]?.name;
      const span = match.indices[group];
      if (!scope || !span || span[0] === span[1]) continue;
      if (span[0] > pos) out.push({ from: pos, to: span[0], scopes: base });
      out.push({ from: span[0], to: span[1], scopes: [...base, scope] });
      pos = span[1];
    }
    if (end > pos) out.push({ from: pos, to: end, scopes: base });
  }

  /**
   * Tokenizes `text` from `pos` with `patterns` until `end` matches (or the
   * line ends); returns the position after it.
   */
  function scan(grammar, patterns, text, pos, scopes, out, end) {
    const candidates = rules(grammar, patterns);
    const plain = (to) => { if (to > pos) out.push({ from: pos, to, scopes }); };
    while (pos <= text.length) {
      const closing = end ? exec(end.source, text, pos) : null;
      let best = null;
      let bestRule = null;
      for (const rule of candidates) {
        const match = exec(rule.match ?? rule.begin, text, pos);
        if (match && (!best || match.index < best.index)) { best = match; bestRule = rule; }
      }
      if (closing && (!best || closing.index <= best.index)) {
        plain(closing.index);
        emitMatch(out, scopes, closing, null, end.captures);
        return closing.index + closing[0].length;
      }
      if (!best) break;
      plain(best.index);
      const after = best.index + best[0].length;
      if (bestRule.match) {
        emitMatch(out, scopes, best, bestRule.name, bestRule.captures);
        pos = after;
      } else {
        const inner = bestRule.name ? [...scopes, bestRule.name] : scopes;
        emitMatch(out, scopes, best, bestRule.name, bestRule.beginCaptures);
        pos = scan(grammar, bestRule.patterns, text, after, inner, out,
          { source: bestRule.end, captures: bestRule.endCaptures });
      }
      if (best[0].length === 0 && pos === best.index) {
        // A rule that matched nothing must not stop the line.
        if (pos >= text.length) return pos;
        out.push({ from: pos, to: pos + 1, scopes });
        pos += 1;
      }
    }
    plain(text.length);
    return text.length;
  }

  /** One line's tokens: [{ from, to, scopes }] covering it, scopes without the root. */
  function tokenizeLine(grammar, line) {
    const out = [];
    scan(grammar, grammar.patterns, line, 0, [], out, null);
    return out.filter((t) => t.to > t.from);
  }

  /** The class a scope list is shown with, by its innermost known scope. */
  const CLASSES = [
    ['invalid', 'invalid'],
    ['comment', 'comment'],
    ['constant.character.escape', 'escape'],
    ['string.unquoted.arn', 'arn'],
    ['string', 'string'],
    ['keyword.operator', 'operator'],
    ['keyword', 'keyword'],
    ['support.type.property-name', 'setting'],
    ['support.class.service', 'service'],
    ['constant.language.wildcard', 'wildcard'],
    ['constant', 'constant'],
    ['entity.name', 'name'],
    ['punctuation.section', 'brace'],
  ];

  function classOf(scopes) {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const hit = CLASSES.find(([prefix]) => scopes[i] === prefix || scopes[i].startsWith(`${prefix}.`));
      if (hit) return hit[1];
    }
    return null;
  }

  return { tokenizeLine, classOf };
});

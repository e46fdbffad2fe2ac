// Highlights every `.irsa` example with the language's grammar
// (irsa-grammar.js, run by irsa-highlight.js: what VS Code and the
// playground use) and adds a "Try it" link to it: it opens the playground
// (served next to the book, in ../playground/) with the example's source in
// the URL fragment, compressed as the playground's own share links.
(function () {
  // irsa-highlight.js's classes → the theme's highlight.js classes.
  const CLASSES = {
    comment: 'hljs-comment', string: 'hljs-string', escape: 'hljs-subst', arn: 'hljs-link',
    operator: 'hljs-keyword', keyword: 'hljs-keyword', setting: 'hljs-attr', service: 'hljs-title',
    wildcard: 'hljs-built_in', constant: 'hljs-literal', name: 'hljs-variable', invalid: 'irsa-invalid',
  };

  function highlight(code) {
    const source = code.textContent;
    const fragment = document.createDocumentFragment();
    source.split('\n').forEach((line, n) => {
      if (n > 0) fragment.append('\n');
      for (const token of window.IrsaHighlight.tokenizeLine(window.IRSA_GRAMMAR, line)) {
        const text = line.slice(token.from, token.to);
        const name = CLASSES[window.IrsaHighlight.classOf(token.scopes)];
        if (!name) { fragment.append(text); continue; }
        const span = document.createElement('span');
        span.className = name;
        span.textContent = text;
        fragment.append(span);
      }
    });
    code.replaceChildren(fragment);
  }

  async function fragment(source) {
    const stream = new Blob([new TextEncoder().encode(source)]).stream()
      .pipeThrough(new CompressionStream('deflate-raw'));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return 'src=' + btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  }
  document.querySelectorAll('code.language-irsa').forEach(async (code) => {
    if (window.IrsaHighlight && window.IRSA_GRAMMAR) highlight(code);
    const link = document.createElement('a');
    link.className = 'try-it';
    link.textContent = 'Try it';
    link.title = 'Open this example in the playground';
    link.href = path_to_root + '../playground/#' + await fragment(code.textContent);
    code.parentElement.before(link);
  });
})();

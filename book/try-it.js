// Adds a "Try it" link to every `.irsa` example: it opens the playground
// (served next to the book, in ../playground/) with the example's source in
// the URL fragment, compressed as the playground's own share links.
(function () {
  async function fragment(source) {
    const stream = new Blob([new TextEncoder().encode(source)]).stream()
      .pipeThrough(new CompressionStream('deflate-raw'));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return 'src=' + btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  }
  document.querySelectorAll('code.language-irsa').forEach(async (code) => {
    const link = document.createElement('a');
    link.className = 'try-it';
    link.textContent = 'Try it';
    link.title = 'Open this example in the playground';
    link.href = path_to_root + '../playground/#' + await fragment(code.textContent);
    code.parentElement.before(link);
  });
})();

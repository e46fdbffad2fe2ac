// Share links: the source, deflated and base64url-encoded, in the URL
// fragment (`#src=…`), so nothing is sent to any server.
async function pipe(bytes, stream) {
  const response = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await response.arrayBuffer());
}

function toBase64Url(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export async function encodeSource(source) {
  const deflated = await pipe(new TextEncoder().encode(source), new CompressionStream('deflate-raw'));
  return `src=${toBase64Url(deflated)}`;
}

/** The source held by a fragment, or null. */
export async function decodeFragment(fragment) {
  const match = /^#?src=([A-Za-z0-9_-]+)$/.exec(fragment);
  if (!match) return null;
  try {
    const inflated = await pipe(fromBase64Url(match[1]), new DecompressionStream('deflate-raw'));
    return new TextDecoder().decode(inflated);
  } catch {
    return null;
  }
}

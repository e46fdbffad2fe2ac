// Compiles in a Web Worker, so that a pathological input can never freeze
// the page: the page restarts this worker when a request does not answer in
// time. The clock starts only once this worker says "ready" (the wasm is
// downloaded and instantiated): on a slow network the download alone can
// take longer than any compile.
import init, * as glue from '../../../target/wasm/web/irsa.js';

// A plain object, so that reading an export the build lacks is no error.
const irsa = { ...glue };

const WASM_URL = new URL('irsa_bg.wasm', self.location.href);

/** Downloads a wasm, telling the page how many bytes of it have arrived. */
async function download(url, module = 'compiler') {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`.trim());
  // A compressed response's length is not the wasm's: then no total.
  const compressed = response.headers.get('Content-Encoding');
  const total = compressed ? null : Number(response.headers.get('Content-Length')) || null;
  if (!response.body) return response;
  let loaded = 0;
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      loaded += chunk.byteLength;
      self.postMessage({ kind: 'progress', module, loaded, total });
      controller.enqueue(chunk);
    },
  }));
  // Still a Response, so that the wasm compiles while it streams in.
  return new Response(counted, { headers: { 'Content-Type': 'application/wasm' } });
}

// hover and complete come from the library's analysis; a build without them
// still compiles, and the page then offers neither.
const features = {
  hover: typeof irsa.hover === 'function',
  complete: typeof irsa.complete === 'function',
};

const ready = download(WASM_URL)
  .then((response) => init({ module_or_path: response }))
  .then(
    () => { self.postMessage({ kind: 'ready', features }); return true; },
    (error) => { self.postMessage({ kind: 'load-failed', message: String(error?.message ?? error) }); return false; },
  );

// The second module (verify and import), fetched on first use only: the
// first load stays within its budget. A failed load is forgotten, so the
// next use tries again.
let tools = null;
function loadTools() {
  tools ??= (async () => {
    const glue = await import(/* @vite-ignore */ new URL('irsa_tools.js', self.location.href).href);
    await glue.default({ module_or_path: await download(new URL('irsa_tools_bg.wasm', self.location.href), 'tools') });
    return glue;
  })().catch((error) => { tools = null; throw error; });
  return tools;
}

async function answerTools(data) {
  let glue;
  try {
    glue = await loadTools();
  } catch (error) {
    return { toolsError: String(error?.message ?? error) };
  }
  switch (data.kind) {
    case 'verify': return { verify: glue.verify(data.source, data.exports) };
    case 'import': return { import: glue.importYaml(data.inputs) };
    default: return { tools: true };
  }
}

const TOOLS = new Set(['load-tools', 'verify', 'import']);

function answer(data) {
  const { kind, source, component, iam, offset } = data;
  switch (kind) {
    case 'version': return { version: irsa.version() };
    case 'format': return { format: irsa.format(source) };
    case 'hover': return { hover: features.hover ? irsa.hover(source, offset) ?? null : null };
    case 'complete': return { complete: features.complete ? irsa.complete(source, offset) : null };
    default: return { compile: irsa.compile(source, { component, iam }), explain: irsa.explain(source) };
  }
}

self.onmessage = async ({ data }) => {
  if (!(await ready)) return;
  const result = TOOLS.has(data.kind) ? await answerTools(data) : answer(data);
  self.postMessage({ id: data.id, ...result });
};

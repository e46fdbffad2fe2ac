// Compiles in a Web Worker, so that a pathological input can never freeze
// the page: the page restarts this worker when it does not answer in time.
import init, { compile, explain, format, version } from '../../../target/wasm/web/irsa.js';

const ready = init({ module_or_path: new URL('irsa_bg.wasm', self.location.href) });

self.onmessage = async ({ data }) => {
  await ready;
  const { id, kind, source, component, iam } = data;
  if (kind === 'version') {
    self.postMessage({ id, version: version() });
  } else if (kind === 'format') {
    self.postMessage({ id, format: format(source) });
  } else {
    self.postMessage({ id, compile: compile(source, { component, iam }), explain: explain(source) });
  }
};

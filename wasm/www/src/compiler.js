// The compiler in a Web Worker, as the page sees it: requests wait until the
// worker has loaded the wasm ("ready"), and only then does each one get its
// time limit (a request that exceeds it restarts the worker, so that a
// pathological input cannot freeze the page). Loading reports its progress;
// a failed load is reported once and waits for retry().

/** A request that takes longer than this restarts the worker. */
export const TIME_LIMIT_MS = 3000;

export function createCompiler({ onProgress, onToolsProgress = () => {}, onReady, onLoadFailed }) {
  let worker = null;
  let ready = false;
  let failed = false;
  let starts = 0;
  let features = { hover: false, complete: false };
  let nextId = 0;
  // id → { message, resolve, reject, timer }: sent when ready, in order.
  const pending = new Map();

  function send(id, entry) {
    // Loading the tools module is a download: it has no time limit.
    if (entry.limited) entry.timer = setTimeout(() => timeout(id), TIME_LIMIT_MS);
    worker.postMessage({ id, ...entry.message });
  }

  function timeout(id) {
    const entry = pending.get(id);
    pending.delete(id);
    for (const other of pending.values()) {
      clearTimeout(other.timer);
      other.reject(new Error('restarted'));
    }
    pending.clear();
    start({ quiet: true });
    entry?.reject(new Error('timeout'));
  }

  function loadFailed(message) {
    if (ready || failed) return;
    failed = true;
    worker.terminate();
    onLoadFailed(message);
  }

  /** Starts a worker; `quiet` after a timeout (the page already says why). */
  function start({ quiet = false } = {}) {
    worker?.terminate();
    starts += 1;
    ready = false;
    failed = false;
    worker = new Worker('worker.js', { type: 'module' });
    worker.onmessage = ({ data }) => {
      if (data.kind === 'progress' && data.module === 'tools') {
        onToolsProgress(data);
      } else if (data.kind === 'progress') {
        if (!quiet) onProgress(data);
      } else if (data.kind === 'ready') {
        ready = true;
        features = data.features;
        onReady({ quiet, features });
        for (const [id, entry] of pending) send(id, entry);
      } else if (data.kind === 'load-failed') {
        loadFailed(data.message);
      } else {
        const entry = pending.get(data.id);
        if (!entry) return;
        clearTimeout(entry.timer);
        pending.delete(data.id);
        entry.resolve(data);
      }
    };
    // The worker's own script did not load (or threw before its first message).
    worker.onerror = (event) => {
      event.preventDefault();
      loadFailed(event.message || 'the worker script did not load');
    };
  }

  /** Sends a request; it waits for the worker to be ready. `limited`:
   *  false for a request that may download (loading the tools module). */
  function ask(message, { limited = true } = {}) {
    return new Promise((resolve, reject) => {
      const id = ++nextId;
      const entry = { message, resolve, reject, timer: null, limited };
      pending.set(id, entry);
      if (ready) send(id, entry);
    });
  }

  return {
    start,
    ask,
    /** After a failed load: a new worker, the waiting requests kept. */
    retry: () => start(),
    get features() { return features; },
    get ready() { return ready; },
    /** How many workers this page started (tests check that loading never restarts). */
    get starts() { return starts; },
  };
}

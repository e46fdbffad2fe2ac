// The Verify and Import YAML panels. Both run in the second wasm module
// (irsa-wasm-tools), which the worker fetches the first time either panel
// opens: the first load of the page never downloads it.
//
// Verify: exports pasted or dropped, one text area each, their kind chosen
// or detected; verify runs as the source or an export changes, and its
// findings are underlined on the source lines like compile's diagnostics
// (through `onFindings`) and listed with their notes. Import: manifests
// pasted or dropped; Import replaces the editor's source (one undo step).

const DEBOUNCE_MS = 200;

/** The top-level keys of the AWS CLI exports `irsa verify` reads. */
const AWS_KEYS = ['Role', 'Roles', 'cluster', 'OpenIDConnectProviderList', 'association', 'associations'];

const $ = (id) => document.getElementById(id);

/** `aws` for the AWS CLI's JSON (recognised by its top-level key), else `kubernetes`. */
export function detectKind(text) {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return 'kubernetes';
  const isAws = (value) => value !== null && typeof value === 'object' && !Array.isArray(value)
    && AWS_KEYS.some((key) => Object.hasOwn(value, key));
  try {
    const value = JSON.parse(trimmed);
    return (Array.isArray(value) ? value.some(isAws) : isAws(value)) ? 'aws' : 'kubernetes';
  } catch {
    // Cut off or otherwise broken: judge by the first key, so that verify
    // reports where the AWS export breaks.
    const first = /^[{[\s]*"([^"]+)"/.exec(trimmed);
    return first && AWS_KEYS.includes(first[1]) ? 'aws' : 'kubernetes';
  }
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function element(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

/** Reads dropped files as text, calling `add(name, text)` for each. */
function onDrop(target, add) {
  target.addEventListener('dragover', (event) => { event.preventDefault(); target.classList.add('drop'); });
  target.addEventListener('dragleave', () => target.classList.remove('drop'));
  target.addEventListener('drop', async (event) => {
    event.preventDefault();
    target.classList.remove('drop');
    for (const file of event.dataTransfer?.files ?? []) add(file.name, await file.text());
  });
}

export function createTools({ compiler, view, setSource, jumpTo, onFindings }) {
  let loaded = null;
  let exportCount = 0;
  let generation = 0;
  let timer = null;
  let active = false;

  function setPanelStatus(id, text, kind = '') {
    const node = $(id);
    node.textContent = text;
    node.className = `status ${kind}`;
  }

  /** The tools module in the worker: loaded once (again after a worker restart). */
  async function ensureTools() {
    const { toolsError } = await compiler.ask({ kind: 'load-tools' }, { limited: false });
    if (toolsError) throw new Error(toolsError);
    if (!loaded) {
      loaded = true;
      document.body.dataset.toolsLoaded = 'true';
    }
  }

  async function withTools(statusId, run) {
    if (!loaded) setPanelStatus(statusId, 'Loading verify and import…', 'loading');
    try {
      await ensureTools();
    } catch (error) {
      setPanelStatus(statusId, `Could not load verify and import (${error.message}); try again`, 'error');
      return null;
    }
    return run();
  }

  // ---- Verify ----

  function exportCards() {
    return [...$('exports').querySelectorAll('.export')];
  }

  function exportsOf() {
    return exportCards()
      .map((card) => {
        const text = card.querySelector('textarea').value;
        const chosen = card.querySelector('select').value;
        return { card, name: card.querySelector('input').value.trim() || 'export', kind: chosen === 'auto' ? detectKind(text) : chosen, text };
      })
      .filter((e) => e.text.trim());
  }

  function addExport(name = '', text = '') {
    exportCount += 1;
    const nameInput = element('input', { type: 'text', value: name || `export-${exportCount}`, ariaLabel: 'Export name', className: 'export-name' });
    const kind = element('select', { ariaLabel: 'Export kind' },
      element('option', { value: 'auto', textContent: 'Auto' }),
      element('option', { value: 'aws', textContent: 'AWS CLI JSON' }),
      element('option', { value: 'kubernetes', textContent: 'kubectl YAML/JSON' }));
    const detected = element('span', { className: 'detected' });
    const remove = element('button', { type: 'button', textContent: 'Remove', title: 'Remove this export' });
    const area = element('textarea', {
      rows: 6, spellcheck: false, value: text, ariaLabel: 'Export',
      placeholder: 'Paste `aws iam list-roles`, `aws eks describe-cluster`… JSON, or `kubectl get serviceaccounts,spinnakerservices -o yaml`; or drop files here',
    });
    const error = element('p', { className: 'export-error', hidden: true });
    const card = element('div', { className: 'export' }, element('div', { className: 'export-head' }, nameInput, kind, detected, remove), area, error);
    const changed = () => {
      detected.textContent = kind.value === 'auto' && area.value.trim() ? (detectKind(area.value) === 'aws' ? 'AWS' : 'Kubernetes') : '';
      scheduleVerify();
    };
    for (const input of [nameInput, kind, area]) input.addEventListener('input', changed);
    remove.addEventListener('click', () => { card.remove(); if (!exportCards().length) addExport(); scheduleVerify(); });
    $('exports').append(card);
    changed();
    return card;
  }

  function showFindings(result, exports) {
    const list = $('findings');
    list.replaceChildren();
    for (const card of exportCards()) {
      const error = card.querySelector('.export-error');
      error.hidden = true;
      error.textContent = '';
    }
    for (const u of result.unreadable) {
      const where = `${u.name}:${u.line}:${u.column}`;
      const card = exports.find((e) => e.name === u.name)?.card;
      if (card) {
        const error = card.querySelector('.export-error');
        error.hidden = false;
        error.textContent = `V001 at line ${u.line}, column ${u.column}: cannot read this export: ${u.message}`;
      }
      list.append(element('li', { className: 'finding sev-error-row', dataset: { code: 'V001' } },
        element('span', { className: 'sev-error', textContent: 'error' }), ' ',
        element('code', { textContent: 'V001' }), ` ${where}: cannot read this export: ${u.message}`));
    }
    for (const d of result.diagnostics) {
      const item = element('li', { className: 'finding', tabIndex: 0, dataset: { code: d.code, line: String(d.line) } },
        element('span', { className: `sev-${d.severity}`, textContent: d.severity }), ' ',
        element('code', { textContent: d.code }), ` line ${d.line}:${d.column}: ${d.message}`);
      if (d.help) item.append(element('div', { className: 'help-text', textContent: `help: ${d.help}` }));
      if (d.notes?.length) item.append(element('ul', { className: 'notes' }, ...d.notes.map((n) => element('li', { textContent: n }))));
      const jump = () => jumpTo(d.line, d.column);
      item.addEventListener('click', jump);
      item.addEventListener('keydown', (e) => { if (e.key === 'Enter') jump(); });
      list.append(item);
    }
  }

  async function verifyNow() {
    const mine = ++generation;
    const exports = exportsOf();
    if (!exports.length) {
      onFindings([]);
      $('findings').replaceChildren();
      setPanelStatus('verify-status', 'Paste an export to verify the source against it.');
      return;
    }
    const answer = await withTools('verify-status', () => compiler
      .ask({ kind: 'verify', source: view.state.doc.toString(), exports: exports.map(({ name, kind, text }) => ({ name, kind, text })) })
      .catch((error) => ({ failed: error.message })));
    if (!answer || mine !== generation) return;
    if (answer.failed) {
      setPanelStatus('verify-status', answer.failed === 'timeout' ? 'Stopped: verify took too long' : 'Verify was interrupted', 'error');
      return;
    }
    const result = answer.verify;
    // The file's own problems are compile's, already underlined.
    onFindings(result.diagnostics.filter((d) => d.code.startsWith('V')));
    showFindings(result, exports);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length + result.unreadable.length;
    const warnings = result.diagnostics.length - (errors - result.unreadable.length);
    if (result.unreadable.length) setPanelStatus('verify-status', `${plural(result.unreadable.length, 'export')} cannot be read: nothing verified`, 'error');
    else if (errors) setPanelStatus('verify-status', `${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}`, 'error');
    else if (warnings) setPanelStatus('verify-status', `Verified, ${plural(warnings, 'warning')}`, 'warning');
    else setPanelStatus('verify-status', 'Verified: every check passes', 'ok');
    document.body.dataset.verified = String(mine);
  }

  function scheduleVerify() {
    if (!active) return;
    clearTimeout(timer);
    timer = setTimeout(verifyNow, DEBOUNCE_MS);
  }

  // ---- Import ----

  async function importNow() {
    const text = $('import-input').value;
    if (!text.trim()) {
      setPanelStatus('import-status', 'Paste manifests first.', 'error');
      return;
    }
    const answer = await withTools('import-status', () => compiler
      .ask({ kind: 'import', inputs: [{ name: 'manifests.yaml', text }] })
      .catch((error) => ({ failed: error.message })));
    if (!answer) return;
    if (answer.failed) {
      setPanelStatus('import-status', answer.failed === 'timeout' ? 'Stopped: import took too long' : 'Import was interrupted', 'error');
      return;
    }
    const result = answer.import;
    const list = $('import-diagnostics');
    list.replaceChildren(...result.diagnostics.map((d) => element('li', { className: 'finding', dataset: { code: d.code } },
      element('span', { className: `sev-${d.severity}`, textContent: d.severity }), ' ',
      element('code', { textContent: d.code }), ` line ${d.line}:${d.column}: ${d.message}`,
      ...(d.help ? [element('div', { className: 'help-text', textContent: `help: ${d.help}` })] : []))));
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
    if (result.source === null) {
      setPanelStatus('import-status', 'Not imported: see the errors below; the editor is unchanged', 'error');
    } else {
      setSource(result.source);
      setPanelStatus('import-status', `Imported into the editor${warnings ? `, ${plural(warnings, 'warning')} (left out)` : ''}; Ctrl-Z undoes it`, warnings ? 'warning' : 'ok');
    }
    document.body.dataset.imported = String((Number(document.body.dataset.imported) || 0) + 1);
  }

  // ---- Panels ----

  function open() {
    if (active) return;
    active = true;
    withTools('verify-status', () => {
      setPanelStatus('import-status', '');
      scheduleVerify();
    });
  }

  addExport();
  $('add-export').addEventListener('click', () => addExport().querySelector('textarea').focus());
  onDrop($('verify-panel'), (name, text) => {
    const empty = exportCards().find((card) => !card.querySelector('textarea').value.trim());
    const card = empty ?? addExport();
    card.querySelector('input').value = name;
    card.querySelector('textarea').value = text;
    card.querySelector('textarea').dispatchEvent(new Event('input'));
  });
  onDrop($('import-panel'), (_name, text) => {
    const area = $('import-input');
    area.value = area.value.trim() ? `${area.value.replace(/\n*$/, '')}\n---\n${text}` : text;
  });
  $('import-run').addEventListener('click', importNow);

  return {
    /** A panel opened: load the tools module (first time only) and verify. */
    open() { open(); scheduleVerify(); },
    sourceChanged: scheduleVerify,
    onToolsProgress({ loaded: bytes, total }) {
      const kib = (n) => Math.round(n / 1024);
      const text = `Loading verify and import… ${kib(bytes)}${total ? ` of ${kib(total)}` : ''} KiB`;
      for (const id of ['verify-status', 'import-status']) setPanelStatus(id, text, 'loading');
    },
  };
}

// The playground page: a CodeMirror editor that compiles as you type (in a
// worker), diagnostics as underlines and a problems list, and the output.
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { syntaxHighlighting, HighlightStyle, bracketMatching } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { tags } from '@lezer/highlight';
import { irsaLanguage } from './language.js';
import { createCompiler, TIME_LIMIT_MS } from './compiler.js';
import { languageOf, writeHighlighted } from './output.js';
import { assist } from './assist.js';
import { encodeSource, decodeFragment } from './share.js';
import { zip } from './zip.js';
import { createTools } from './tools.js';

const DEBOUNCE_MS = 150;

const $ = (id) => document.getElementById(id);

const highlight = HighlightStyle.define([
  { tag: tags.keyword, class: 'tok-keyword' },
  { tag: tags.propertyName, class: 'tok-property' },
  { tag: tags.operator, class: 'tok-arrow' },
  { tag: tags.comment, class: 'tok-comment' },
  { tag: tags.string, class: 'tok-string' },
  { tag: tags.escape, class: 'tok-escape' },
  { tag: tags.link, class: 'tok-arn' },
  { tag: tags.atom, class: 'tok-star' },
  { tag: tags.typeName, class: 'tok-service' },
  { tag: tags.bool, class: 'tok-constant' },
  { tag: tags.number, class: 'tok-constant' },
  { tag: tags.variableName, class: 'tok-name' },
  { tag: tags.meta, class: 'tok-comment' },
  { tag: tags.invalid, class: 'tok-invalid' },
]);

const compiler = createCompiler({
  onProgress({ loaded, total }) {
    const kib = (n) => Math.round(n / 1024);
    setStatus(`Loading compiler… ${kib(loaded)}${total ? ` of ${kib(total)}` : ''} KiB`, 'loading');
  },
  onToolsProgress: (progress) => tools?.onToolsProgress(progress),
  onReady({ quiet }) {
    $('retry').hidden = true;
    if (!quiet) setStatus('Compiling…', 'loading');
  },
  onLoadFailed(message) {
    setStatus(`Could not load the compiler (${message})`, 'error');
    $('retry').hidden = false;
  },
});

/** CodeMirror offset of a 1-based line and character column (code points). */
function offsetOf(doc, line, column) {
  if (line > doc.lines) return doc.length;
  const l = doc.line(Math.max(line, 1));
  let index = 0;
  for (let remaining = column - 1; remaining > 0 && index < l.text.length; remaining--) {
    index += l.text.codePointAt(index) > 0xffff ? 2 : 1;
  }
  return l.from + index;
}

let view;
let tools = null;
let lastResult = null;
// Underlined together: compile's diagnostics and verify's findings.
let compileDiagnostics = [];
let verifyFindings = [];
let selectedTab = 'stream';
let generation = 0;

function setStatus(text, kind) {
  const status = $('status');
  status.textContent = text;
  status.className = `status ${kind}`;
}

function showProblems(diagnostics) {
  const body = $('problems');
  body.replaceChildren();
  $('no-problems').hidden = diagnostics.length > 0;
  for (const d of diagnostics) {
    const row = document.createElement('tr');
    row.className = 'problem';
    row.tabIndex = 0;
    row.dataset.code = d.code;
    const cells = [d.severity, d.code, `${d.line}:${d.column}`, d.help ? `${d.message} (help: ${d.help})` : d.message];
    cells.forEach((text, i) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (i === 0) cell.className = `sev-${d.severity}`;
      row.append(cell);
    });
    const jump = () => {
      const anchor = offsetOf(view.state.doc, d.line, d.column);
      view.dispatch({ selection: { anchor }, scrollIntoView: true });
      view.focus();
    };
    row.addEventListener('click', jump);
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); jump(); } });
    body.append(row);
  }
}

function underline() {
  const doc = view.state.doc;
  const marks = [...compileDiagnostics, ...verifyFindings].map((d) => {
    const from = offsetOf(doc, d.line, d.column);
    const to = Math.max(from, offsetOf(doc, d.end_line, d.end_column));
    const notes = (d.notes ?? []).map((n) => `\nnote: ${n}`).join('');
    return { from, to, severity: d.severity, message: `${d.code}: ${d.message}${d.help ? `\nhelp: ${d.help}` : ''}${notes}` };
  });
  view.dispatch(setDiagnostics(view.state, marks));
}

function outputTabs() {
  if (!lastResult) return [];
  const { compile, explain } = lastResult;
  return [
    { id: 'stream', label: 'stream.yaml', content: compile.stream },
    ...compile.files.map((f) => ({ id: f.path, label: f.path, content: f.content })),
    { id: 'explain', label: 'explain', content: explain.text },
  ];
}

function renderOutput() {
  const tabs = outputTabs();
  if (!tabs.some((t) => t.id === selectedTab)) selectedTab = 'stream';
  const list = $('tabs');
  list.replaceChildren();
  for (const tab of tabs) {
    const button = document.createElement('button');
    button.type = 'button';
    button.role = 'tab';
    button.id = `tab-${tab.id}`;
    button.textContent = tab.label;
    button.setAttribute('aria-selected', String(tab.id === selectedTab));
    button.tabIndex = tab.id === selectedTab ? 0 : -1;
    button.addEventListener('click', () => { selectedTab = tab.id; renderOutput(); });
    button.addEventListener('keydown', (e) => {
      const index = tabs.indexOf(tab);
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      e.preventDefault();
      selectedTab = tabs[(index + step + tabs.length) % tabs.length].id;
      renderOutput();
      $(`tab-${selectedTab}`).focus();
    });
    list.append(button);
  }
  const output = $('output');
  const current = tabs.find((t) => t.id === selectedTab);
  output.setAttribute('aria-labelledby', `tab-${selectedTab}`);
  if (lastResult && !lastResult.compile.ok) {
    output.className = 'output empty';
    output.textContent = 'No output: fix the problems listed under the editor.';
  } else {
    output.className = 'output';
    writeHighlighted(output, current ? current.content : '', current && languageOf(current.label), highlight);
  }
}

async function compileNow() {
  const mine = ++generation;
  const source = view.state.doc.toString();
  let result;
  try {
    result = await compiler.ask({ kind: 'compile', source, component: $('component').checked, iam: $('iam').value || undefined });
  } catch (error) {
    if (error.message === 'timeout' && mine === generation) {
      setStatus(`Stopped: compiling took longer than ${TIME_LIMIT_MS / 1000} s`, 'error');
    }
    return;
  }
  if (mine !== generation) return;
  lastResult = result;
  const { diagnostics } = result.compile;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (errors) setStatus(`${errors} error${errors > 1 ? 's' : ''}${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`, 'error');
  else if (warnings) setStatus(`Compiled, ${warnings} warning${warnings > 1 ? 's' : ''}`, 'warning');
  else setStatus('Compiled', 'ok');
  compileDiagnostics = diagnostics;
  underline();
  showProblems(diagnostics);
  renderOutput();
  document.body.dataset.compiled = String(generation);
}

let timer = null;
function scheduleCompile() {
  clearTimeout(timer);
  timer = setTimeout(compileNow, DEBOUNCE_MS);
}

/** Output, Verify or Import YAML in the right-hand pane. */
function showPanel(name) {
  for (const button of document.querySelectorAll('#modes [role=tab]')) {
    const selected = button.dataset.panel === name;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(button.dataset.panel).hidden = !selected;
  }
  if (name !== 'output-panel') tools.open();
}

function setSource(source) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: source } });
}

async function main() {
  setStatus('Loading compiler…', 'loading');
  compiler.start();
  $('retry').addEventListener('click', () => {
    $('retry').hidden = true;
    setStatus('Loading compiler…', 'loading');
    compiler.retry();
  });
  view = new EditorView({
    parent: $('editor'),
    state: EditorState.create({
      doc: '',
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), history(), bracketMatching(),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        irsaLanguage, syntaxHighlighting(highlight), lintGutter(), assist(compiler),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': '.irsa source' }),
        EditorView.updateListener.of((update) => { if (update.docChanged) { scheduleCompile(); tools?.sourceChanged(); } }),
      ],
    }),
  });

  tools = createTools({
    compiler,
    view,
    setSource,
    jumpTo(line, column) {
      view.dispatch({ selection: { anchor: offsetOf(view.state.doc, line, column) }, scrollIntoView: true });
      view.focus();
    },
    onFindings(findings) { verifyFindings = findings; underline(); },
  });
  const modes = [...document.querySelectorAll('#modes [role=tab]')];
  for (const button of modes) {
    button.addEventListener('click', () => showPanel(button.dataset.panel));
    button.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      e.preventDefault();
      const next = modes[(modes.indexOf(button) + step + modes.length) % modes.length];
      showPanel(next.dataset.panel);
      next.focus();
    });
  }

  // For tests and the devtools console.
  window.playground = { view, compiler };

  const examples = await (await fetch('examples.json')).json();
  const select = $('examples');
  for (const example of examples) {
    const option = document.createElement('option');
    option.value = example.name;
    option.textContent = example.name;
    select.append(option);
  }
  select.addEventListener('change', () => {
    const example = examples.find((e) => e.name === select.value);
    if (example) setSource(example.source);
  });

  $('format').addEventListener('click', async () => {
    const { format } = await compiler.ask({ kind: 'format', source: view.state.doc.toString() });
    if (format.ok) setSource(format.formatted);
    else setStatus('Cannot format: fix the syntax errors first', 'error');
  });
  $('share').addEventListener('click', async () => {
    const fragment = await encodeSource(view.state.doc.toString());
    window.history.replaceState(null, '', `#${fragment}`);
    const link = location.href;
    document.body.dataset.shareLink = link;
    try {
      await navigator.clipboard.writeText(link);
      setStatus('Link copied', 'ok');
    } catch {
      setStatus('Link in the address bar', 'ok');
    }
  });
  $('component').addEventListener('change', compileNow);
  $('iam').addEventListener('change', compileNow);
  $('copy').addEventListener('click', async () => {
    const tab = outputTabs().find((t) => t.id === selectedTab);
    if (tab) await navigator.clipboard.writeText(tab.content).catch(() => {});
  });
  $('download').addEventListener('click', () => {
    if (!lastResult?.compile.ok) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(zip(lastResult.compile.files));
    link.download = 'irsa-output.zip';
    link.click();
    URL.revokeObjectURL(link.href);
  });

  const shared = await decodeFragment(location.hash);
  setSource(shared ?? examples[0].source);
  if (!shared) select.value = examples[0].name;
  const { version } = await compiler.ask({ kind: 'version' });
  $('version').textContent = `v${version}`;

  if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
    navigator.serviceWorker.register('sw.js').catch(() => {});
  }
}

main();

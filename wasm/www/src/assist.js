// Hover and completion in the editor, from the library's analysis through
// the worker (wasm `hover(source, offset)` and `complete(source, offset)`,
// offsets in UTF-16 code units as CodeMirror's). A wasm build without them
// (the worker says so when ready) offers neither.
import { hoverTooltip } from '@codemirror/view';
import { autocompletion } from '@codemirror/autocomplete';

/** Minimal Markdown for hover text: paragraphs, `- ` lists, ``` fences, `code`, **bold**, [links](…). */
export function renderMarkdown(markdown) {
  const root = document.createElement('div');
  root.className = 'cm-hover-markdown';
  let paragraph = null;
  let list = null;
  let fence = null;
  const close = () => { paragraph = null; list = null; };
  for (const line of markdown.split('\n')) {
    if (fence) {
      if (line.startsWith('```')) fence = null;
      else fence.textContent += (fence.textContent ? '\n' : '') + line;
    } else if (line.startsWith('```')) {
      close();
      fence = document.createElement('pre');
      root.append(fence);
    } else if (/^\s*[-*] /.test(line)) {
      paragraph = null;
      if (!list) { list = document.createElement('ul'); root.append(list); }
      const item = document.createElement('li');
      inline(item, line.replace(/^\s*[-*] /, ''));
      list.append(item);
    } else if (line.trim() === '') {
      close();
    } else {
      list = null;
      if (!paragraph) { paragraph = document.createElement('p'); root.append(paragraph); }
      else paragraph.append(' ');
      inline(paragraph, line);
    }
  }
  return root;
}

/** Appends `text` to `parent`, its `code`, **bold** and [links](…) as elements. */
function inline(parent, text) {
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    parent.append(text.slice(last, match.index));
    let node;
    if (match[1] !== undefined) {
      node = document.createElement('code');
      node.textContent = match[1];
    } else if (match[2] !== undefined) {
      node = document.createElement('strong');
      node.textContent = match[2];
    } else {
      node = document.createElement('a');
      node.textContent = match[3];
      // Only web links and the book's pages, never javascript: and the like.
      if (/^(https?:\/\/|\.\.?\/|#)/.test(match[4])) node.href = match[4];
      node.target = '_blank';
      node.rel = 'noopener';
    }
    parent.append(node);
    last = match.index + match[0].length;
  }
  parent.append(text.slice(last));
}

/** The analysis's completion kinds → CodeMirror's icon types. */
const TYPES = {
  keyword: 'keyword',
  setting: 'property',
  value: 'constant',
  service: 'class',
  role: 'variable',
  'service-account': 'variable',
};

/** The editor extensions: a hover tooltip and a completion source, both asking `compiler`. */
export function assist(compiler) {
  const hover = hoverTooltip(async (view, pos) => {
    if (!compiler.ready || !compiler.features.hover) return null;
    let answer;
    try {
      answer = await compiler.ask({ kind: 'hover', source: view.state.doc.toString(), offset: pos });
    } catch {
      return null;
    }
    const info = answer.hover;
    if (!info || typeof info.markdown !== 'string') return null;
    return {
      pos: info.from,
      end: info.to,
      above: true,
      create: () => ({ dom: renderMarkdown(info.markdown) }),
    };
  }, { hoverTime: 250 });

  const complete = async (context) => {
    if (!compiler.ready || !compiler.features.complete) return null;
    let answer;
    try {
      answer = await compiler.ask({ kind: 'complete', source: context.state.doc.toString(), offset: context.pos });
    } catch {
      return null;
    }
    const result = answer.complete;
    if (!result || !Array.isArray(result.options) || result.options.length === 0) return null;
    // Only explicit requests (Ctrl-Space) complete at the start of an empty word.
    if (!context.explicit && result.from === context.pos && result.to === context.pos) return null;
    return {
      from: result.from,
      to: result.to,
      options: result.options.map((o) => ({ label: o.label, detail: o.detail ?? undefined, type: TYPES[o.kind] ?? 'text' })),
      validFor: /^[\w-]*$/,
    };
  };

  return [hover, autocompletion({ override: [complete], activateOnTyping: true })];
}

// Hover and completion in the editor, from the library's analysis through
// the worker (wasm `hover(source, offset)` and `complete(source, offset)`,
// offsets in UTF-16 code units as CodeMirror's). A wasm build without them
// (the worker says so when ready) offers neither.
import { hoverTooltip } from '@codemirror/view';
import { autocompletion } from '@codemirror/autocomplete';

/** Minimal Markdown for hover text: paragraphs, `- ` lists, `code`, **bold**, [links](…). */
export function renderMarkdown(markdown) {
  const root = document.createElement('div');
  root.className = 'cm-hover-markdown';
  const inline = (parent, text) => {
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
  };
  for (const block of markdown.trim().split(/\n\s*\n/)) {
    const lines = block.split('\n');
    if (lines.every((l) => /^\s*[-*] /.test(l))) {
      const list = document.createElement('ul');
      for (const line of lines) {
        const item = document.createElement('li');
        inline(item, line.replace(/^\s*[-*] /, ''));
        list.append(item);
      }
      root.append(list);
    } else if (lines[0].startsWith('```')) {
      const pre = document.createElement('pre');
      pre.textContent = lines.slice(1, lines.at(-1).startsWith('```') ? -1 : undefined).join('\n');
      root.append(pre);
    } else {
      const paragraph = document.createElement('p');
      inline(paragraph, lines.join(' '));
      root.append(paragraph);
    }
  }
  return root;
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

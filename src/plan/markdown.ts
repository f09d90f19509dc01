// Markdown building blocks for PR bodies. Everything that comes from a repository or a registry
// is untrusted: it goes into code spans (no links, no @mentions) and table-safe cells.

/** An inline code span that holds any text, backticks included. */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A table cell: pipes escaped (GFM honours `\|` even inside code spans), one line. */
export function cell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** A link to an http(s) URL; characters that could end the link or a table cell are encoded. */
export function link(textMarkdown: string, url: string): string {
  const safe = url.replace(
    /[()|\s<>[\]]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `[${textMarkdown}](${safe})`;
}

export function tableRow(cells: string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

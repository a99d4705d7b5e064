// The Explain report (server/features/explain.ts ExplainReport) as the HTML of its webview.
// No vscode import: node tests render it too.
//
// Safety: the page runs no script at all (Content-Security-Policy `default-src 'none'`, script-src
// 'none'); its one style element carries a nonce; no image, font, frame or form can load. Every
// string from the report goes through escapeHtml, and the only links are command URIs of the one
// command the webview allows (REVEAL_COMMAND), with JSON arguments URI-encoded.
import {
  statementPhrases,
  type CellTone,
  type ExplainReport,
  type ReportCell,
  type ReportColumn,
  type ReportSection,
  type ReportTable,
} from '../../protocol/protocol';
import { escapeHtml } from '../../shared/escape';

/** Reveals a range of a policy: `[uri, startLine, startCharacter, endLine, endCharacter]`. */
export const REVEAL_COMMAND = 's3EncryptionGuard.revealPolicyRange';

export interface HtmlOptions {
  /** A fresh random value per render: the style element's nonce. */
  nonce: string;
}

const SYMBOL: Record<CellTone, string> = { denied: '✕', allowed: '✓', open: '○', mixed: '◐' };

/** Text from the report: escaped, one line, clipped (sentences get more room than values). */
const t = (s: string, max = 500): string => escapeHtml(s, max);

function statementLink(report: ExplainReport, index: number): string {
  const ref = report.statements[index];
  const label = ref?.label ?? `statement ${index + 1}`;
  if (!ref) return `<span class="stmt">${t(label, 200)}</span>`;
  const args = [report.uri, ref.range.start.line, ref.range.start.character, ref.range.end.line, ref.range.end.character];
  const href = `command:${REVEAL_COMMAND}?${encodeURIComponent(JSON.stringify(args))}`;
  return `<a class="stmt" href="${t(href, 20_000)}" title="${t(`Go to ${label} (line ${ref.range.start.line + 1})`, 300)}">${t(label, 200)}</a>`;
}

function statementsHtml(report: ExplainReport, c: ReportCell): string {
  return statementPhrases(c)
    .map(
      (p, i) =>
        `<span class="${i === 0 && p.prefix === 'by' ? 'by' : 'also'}">${t(p.prefix)} ${p.statements.map(ix => statementLink(report, ix)).join(', ')}</span>`,
    )
    .join(' ');
}

/** A cell: colour and symbol from its tone, always its word; the examples on hover, or below it in the details. */
function cellHtml(report: ExplainReport, c: ReportCell | null, withStatements: boolean, withExamples: boolean): string {
  if (!c) return '<td class="cell na"><span class="word">does not apply</span></td>';
  const title = c.examples.map(e => `For example, ${e.text}.`).join(' ');
  let html = `<td class="cell ${c.tone}" title="${t(title, 4000)}"><span class="word"><span class="sym" aria-hidden="true">${SYMBOL[c.tone]}</span> ${t(c.word)}</span>`;
  if (withStatements && (c.statements.length || c.alsoBy.length)) html += ` ${statementsHtml(report, c)}`;
  if (withExamples) html += c.examples.map(e => `<div class="example">For example, ${t(e.text, 2000)}.</div>`).join('');
  return `${html}</td>`;
}

function headerRow(columns: readonly ReportColumn[], rowHeader: string): string {
  const ths = columns.map(c => `<th scope="col" title="${t(c.members.join(', '), 4000)}">${t(c.label, 200)}</th>`).join('');
  return `<thead><tr><th scope="col">${t(rowHeader)}</th>${ths}</tr></thead>`;
}

function tableHtml(report: ExplainReport, section: ReportSection, table: ReportTable, kind: 'matrix' | 'details'): string {
  const details = kind === 'details';
  const rows = table.rows
    .map(r => {
      const label = r.parts.length ? r.parts.map(p => `<div>${t(p, 2000)}</div>`).join('') : '<div>every request</div>';
      return `<tr><th scope="row">${label}</th>${r.cells.map(c => cellHtml(report, c, true, details)).join('')}</tr>`;
    })
    .join('\n');
  return `<table class="${kind}">${headerRow(section.columns, table.rowHeader)}<tbody>\n${rows}\n</tbody></table>`;
}

function sectionHtml(report: ExplainReport, s: ReportSection): string {
  const out: string[] = [];
  out.push(`<section><h2>${t(s.heading, 300)}</h2>`);
  out.push(`<p class="verdict">${t(s.verdictLine, 2000)}</p>`);
  out.push(`<ul class="summary">${s.summary.map(line => `<li>${t(line, 4000)}</li>`).join('')}</ul>`);
  out.push('<h3>Who</h3><dl class="who">');
  for (const c of s.columns) out.push(`<dt>${t(c.label, 200)}</dt><dd>${t(c.members.join(', '), 4000)}</dd>`);
  out.push('</dl>');
  for (const m of s.matrices) {
    out.push(`<h3>${t(m.title)}</h3><p class="note">${t(m.note, 1000)}</p>`);
    out.push(tableHtml(report, s, m, 'matrix'));
  }
  const rows = s.details.rows.length;
  out.push(
    `<details><summary>${t(s.details.title)}: ${s.requestClasses} request classes in ${rows} row${rows === 1 ? '' : 's'}${s.truncated ? ' (only the first were enumerated)' : ''}</summary>`,
  );
  out.push(`<p class="note">${t(s.details.note, 1000)}</p>`);
  out.push(tableHtml(report, s, s.details, 'details'));
  out.push('</details></section>');
  return out.join('\n');
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 20px; line-height: 1.45; }
h1 { font-size: 1.5em; font-weight: 600; margin: 0.8em 0 0.2em; }
h2 { font-size: 1.25em; font-weight: 600; margin: 1.2em 0 0.2em; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); padding-bottom: 0.2em; }
h3 { font-size: 1.05em; font-weight: 600; margin: 1.2em 0 0.2em; }
.verdict, .note, .who dd, .example { color: var(--vscode-descriptionForeground); }
.note { margin: 0 0 0.4em; }
.summary { padding-left: 1.2em; }
.summary li { margin: 0.2em 0; }
.who { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; margin: 0; }
.who dt { font-weight: 600; }
.who dd { margin: 0; }
table { border-collapse: collapse; margin: 0.3em 0 0.8em; }
th, td { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { font-weight: 600; }
tbody th { font-weight: normal; }
.word { font-weight: 600; white-space: nowrap; }
.cell { border-left-width: 4px; }
.cell.denied { background: color-mix(in srgb, var(--vscode-charts-red) 18%, transparent); border-left-color: var(--vscode-charts-red); }
.cell.allowed { background: color-mix(in srgb, var(--vscode-charts-green) 18%, transparent); border-left-color: var(--vscode-charts-green); }
.cell.open { background: color-mix(in srgb, var(--vscode-charts-yellow) 14%, transparent); border-left-color: var(--vscode-charts-yellow); }
.cell.mixed { background: color-mix(in srgb, var(--vscode-charts-orange) 18%, transparent); border-left-color: var(--vscode-charts-orange); }
.cell.na { color: var(--vscode-descriptionForeground); }
.by, .also { display: block; font-size: 0.92em; }
.also { color: var(--vscode-descriptionForeground); }
.example { font-size: 0.92em; margin-top: 0.2em; max-width: 60em; }
a { color: var(--vscode-textLink-foreground); text-decoration: none; }
a:hover { text-decoration: underline; }
details { margin-top: 1em; }
summary { cursor: pointer; font-weight: 600; }
.message { font-size: 1.1em; }
`;

/** The whole page. */
export function explainHtml(report: ExplainReport, opts: HtmlOptions): string {
  const nonce = opts.nonce.replace(/[^A-Za-z0-9+/=]/g, '');
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'none'; img-src 'none'; font-src 'none'; media-src 'none'; frame-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  const body = report.message
    ? `<p class="message">${t(report.message, 2000)}</p>`
    : report.sections.map(s => sectionHtml(report, s)).join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Enforcement: ${t(report.file, 300)}</title>`,
    `<style nonce="${nonce}">${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>Enforcement: ${t(report.file, 300)}</h1>`,
    body,
    '</body>',
    '</html>',
  ].join('\n');
}

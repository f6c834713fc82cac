// The text output of `dsar scan`: card numbers first (a policy violation), then undeclared personal data grouped
// by the taxonomy with the policy's words beside each category, the YAML to paste, what the map declares that is
// gone, and declared columns whose values look wrong. No sampled value is ever printed.
import { categoryOf } from '../../datamap/taxonomy.ts';
import type { CardExampleOut, ScanReport, UndeclaredFinding } from '../../scan/report.ts';

const CARD_POLICY = 'PAYMENT PROCESSING: "We will not store or collect your payment card details."';

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

function keyText(key: CardExampleOut['key']): string {
  if (key === null) return 'a row without key';
  if (key === 'withheld') return 'a row (key withheld: it is personal data)';
  return Object.entries(key).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

/** Columns a text takes in a terminal: East Asian wide characters take two. */
function displayWidth(text: string): number {
  let n = 0;
  for (const ch of text) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return n;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function topCategory(name: string): string {
  return name.split('.')[0];
}

export function renderScan(r: ScanReport): string {
  const out: string[] = [];
  const t = r.totals;
  out.push(
    `scan: ${plural(r.systems.length, 'system')}, ${plural(t.tables, 'table')}, ${plural(t.columns, 'column')} ` +
      `(${r.sample === 'full' ? 'every row' : `sample of ${r.sample.toLocaleString('en-US')} rows per table`}; ${plural(t.rowsRead, 'row')} read, ${plural(t.queries, 'query', 'queries')}, ${(t.ms / 1000).toFixed(1)} s)`,
  );

  if (r.cards.length) {
    out.push('', `CARD NUMBERS: a policy violation (${CARD_POLICY})`);
    for (const c of r.cards) {
      const what = c.count ? `${plural(c.count, 'card number')} in ${plural(c.valuesRead, 'value')} read` : 'declared as a card column';
      out.push(`  ${c.where}  ${what}${c.declared ? ` (declared ${c.declaredCategory ?? 'column'})` : ' (undeclared)'}`);
      for (const e of c.examples) out.push(`    ${e.brand} ending ${e.last4} at ${keyText(e.key)}`);
      if (c.count > c.examples.length) out.push(`    ... and ${c.count - c.examples.length} more`);
    }
  }

  if (r.undeclared.length) {
    out.push('', 'UNDECLARED PERSONAL DATA');
    const groups = new Map<string, UndeclaredFinding[]>();
    for (const u of r.undeclared) {
      const top = topCategory(u.category);
      groups.set(top, [...(groups.get(top) ?? []), u]);
    }
    for (const [top, list] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const category = categoryOf(top);
      out.push(`  ${category?.title ?? top} (${top}): policy: "${category?.policy ?? ''}"`);
      const width = Math.max(...list.map((u) => displayWidth(u.where)));
      const categoryWidth = Math.max(...list.map((u) => u.category.length));
      for (const u of list) {
        const confidence = `${u.level} ${u.confidence.toFixed(2)}`.padEnd(11);
        out.push(`    ${pad(u.where, width)}  ${u.category.padEnd(categoryWidth)}  ${confidence}  ${u.detectors.map((d) => d.evidence).join('; ')}`);
      }
    }
    out.push('', '  Add to the data map (check the masks, and how the rows reach a subject), or merge it with `dsar scan --write-map`:', '');
    out.push(...r.snippet.split('\n').map((l) => `    ${l}`));
  }

  if (r.missing.length) {
    out.push('', 'DECLARED BUT GONE');
    for (const m of r.missing) out.push(`  ${m.where} (${m.at}): ${m.message}`);
  }

  if (r.mismatches.length) {
    out.push('', 'DECLARED VALUES THAT DO NOT LOOK LIKE THEIR CATEGORY');
    for (const m of r.mismatches) out.push(`  ${m.where} (${m.at}): ${m.message}`);
  }

  if (r.views.length) {
    out.push('', 'VIEWS OF DECLARED DATA');
    for (const v of r.views) out.push(`  ${v.where}: shows ${v.of.join(', ')}`);
  }

  if (r.notCards.length) {
    out.push('', 'NOT CARD NUMBERS (low confidence, for the record)');
    for (const n of r.notCards) out.push(`  ${n.where}: ${n.evidence}`);
  }

  for (const p of r.problems) out.push('', `could not scan ${p.table ? `${p.system}.${p.table}` : p.system}: ${p.message}`);
  if (r.sarif) out.push('', `SARIF: ${r.sarif}`);

  const findings = r.cards.length + r.undeclared.length + r.missing.length;
  out.push(
    '',
    r.ok
      ? `clean: no undeclared personal data, no card numbers${r.mismatches.length ? ` (${plural(r.mismatches.length, 'warning')})` : ''}`
      : `${plural(findings, 'finding')}: ${r.cards.length} card column(s), ${r.undeclared.length} undeclared column(s), ${r.missing.length} declared but gone` +
          (r.problems.length ? `; ${plural(r.problems.length, 'system or table', 'systems or tables')} not scanned` : ''),
  );
  return out.join('\n');
}

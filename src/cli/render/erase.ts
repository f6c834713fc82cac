// The erasure plan as text (what --dry-run prints), and a residue hit found by the verification.
import { normalizeLinkValue } from '../../datamap/normalize.ts';
import type { ResidueHit } from '../../ops/verify.ts';
import type { PlanSummary } from '../../plan/erase-plan.ts';

/** The plan as text, one line per step. */
export function renderPlan(s: PlanSummary): string {
  const lines: string[] = [];
  if (s.child.child) lines.push(`subject is a child (${s.child.reason}): legal-obligation bases do not apply`);
  if (!s.steps.length) lines.push('nothing to erase');
  for (const step of s.steps) {
    const what = step.action === 'delete' ? 'delete' : `anonymize ${step.scope}${step.columns.length ? ` (${step.columns.join(', ')})` : ''}`;
    const sever = step.sever.length ? `; set ${step.sever.join(', ')} to NULL` : '';
    lines.push(`${step.table}: ${what}${sever}, ${step.rows} row${step.rows === 1 ? '' : 's'} - ${step.reason}`);
  }
  for (const k of s.kept) lines.push(`${k.table}: keep, ${k.rows} row${k.rows === 1 ? '' : 's'} - ${k.reason}`);
  for (const e of s.sideEffects) lines.push(`side effect on ${e.table}: ${e.detail} (${e.rows} row${e.rows === 1 ? '' : 's'})`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  for (const u of s.unreachable) lines.push(`unreachable: ${u}`);
  return lines.join('\n');
}

export function renderResidue(h: ResidueHit): string {
  const key = h.key ? `(${h.key.map((v) => normalizeLinkValue(v)).join(', ')})` : '(no declared key)';
  return `${h.system}.${h.table}.${h.column} key ${key}: ${h.kind === 'identity' ? 'an identity' : 'an identifying value'} of the subject`;
}

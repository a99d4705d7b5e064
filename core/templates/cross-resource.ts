// Checks across the resources of one template (placeholder until the TPL rules land).
import type { AnalysisSettings } from '../analyze';
import type { TemplateEntry, TemplateScan } from './types';

export function crossResourceFindings(
  _scan: TemplateScan,
  _entries: readonly TemplateEntry[],
  _settings: AnalysisSettings,
): TemplateEntry[] {
  return [];
}

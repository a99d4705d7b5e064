// The template scanners, one per format, and the choice of one for a file. The Terraform scanner
// joins this list with one line. No vscode or LSP imports.
import { cloudFormationScanner } from './cloudformation';
import { terraformScanner } from './terraform';
import type { TemplateScanner } from './types';

export const TEMPLATE_SCANNERS: readonly TemplateScanner[] = [cloudFormationScanner, terraformScanner];

/** The scanner that claims this file (by its name and first bytes), if any. Cheap: nothing is parsed. */
export function findScanner(fileName: string, text: string): TemplateScanner | undefined {
  return TEMPLATE_SCANNERS.find(s => s.claims(fileName, text));
}

/** Is this file an infrastructure template that one of the scanners reads? */
export function isTemplate(fileName: string, text: string): boolean {
  return findScanner(fileName, text) !== undefined;
}

export * from './types';
export { analyzeTemplate, type TemplateCache } from './analyze';
export { createTemplateCache, DEPENDS_RULE_ID, TEMPLATE_SYNTAX_CODE, type TemplateAnalysisOptions } from './analyze';
export { cloudFormationScanner, MAX_TEMPLATE_SIZE } from './cloudformation';
export { TEMPLATE_RULES, templateRuleById } from './rules/registry';

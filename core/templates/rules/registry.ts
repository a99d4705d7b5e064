// Every template rule, in ID order (docs/rules is generated from their metadata).
import type { TemplateRule } from './types';
import { tpl001 } from './TPL-001-default-key-not-pinned';
import { tpl002 } from './TPL-002-default-aes256-under-kms-policy';
import { tpl003 } from './TPL-003-dsse-bucket-key';
import { tpl004 } from './TPL-004-sse-c-unblocked';
import { tpl005 } from './TPL-005-key-rotation';
import { tpl006 } from './TPL-006-depends-on-unresolved';
import { tpl007 } from './TPL-007-key-policy-vs-bucket-users';

export const TEMPLATE_RULES: readonly TemplateRule[] = [tpl001, tpl002, tpl003, tpl004, tpl005, tpl006, tpl007];

export const templateRuleById = (id: string): TemplateRule | undefined => TEMPLATE_RULES.find(r => r.meta.id === id);

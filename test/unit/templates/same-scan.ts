// A template parsed part by part (only the parts the scanner reads, each kept by its text) must scan
// exactly as the whole text parsed in one go. These helpers scan both ways and compare what the
// scans say: the same policies with the same rendered JSON and source maps, the same buckets and
// keys, the same syntax errors.
import assert from 'node:assert/strict';
import { scanCloudFormation } from '../../../core/templates/cloudformation';
import { outlineHcl } from '../../../core/templates/hcl-outline';
import { scanTerraform } from '../../../core/templates/terraform';
import type { TemplateScan } from '../../../core/templates/types';
import { outlineYaml } from '../../../core/templates/yaml-outline';

/** What a scan says, as data: functions dropped, each policy's source map sampled at every offset of its JSON. */
function comparable(scan: TemplateScan): unknown {
  return JSON.parse(
    JSON.stringify({
      ...scan,
      policies: scan.policies.map(p => ({
        ...p,
        map: Array.from({ length: p.json.length + 1 }, (_, i) => p.toTemplate({ offset: i, length: 1 })),
      })),
    }),
  );
}

/** The CloudFormation YAML scan by parts, asserted equal to the whole-text scan (and read by parts at all, unless told). */
export function sameCfnScan(text: string, name = 'template', byParts = true): TemplateScan {
  if (byParts) assert.ok(outlineYaml(text), `${name}: read by parts`);
  const scan = scanCloudFormation(text);
  assert.deepEqual(comparable(scan), comparable(scanCloudFormation(text, undefined, true)), name);
  return scan;
}

/** The Terraform scan by blocks, asserted equal to the whole-file scan (and read by blocks at all, unless told). */
export function sameTfScan(text: string, name = 'main.tf', byParts = true): TemplateScan {
  if (byParts) assert.ok(outlineHcl(text), `${name}: read by blocks`);
  const scan = scanTerraform(text, 'main.tf');
  assert.deepEqual(comparable(scan), comparable(scanTerraform(text, 'main.tf', undefined, true)), name);
  return scan;
}

// Infrastructure templates on the wire: the editor languages whose documents the server may find
// policies in (CloudFormation YAML, CDK output as JSON, Terraform). Names only, so that the client
// bundle does not pull in the scanners.

/** Language IDs of template documents besides JSON: VS Code's `yaml`, HashiCorp's `terraform` (also ours, for `.tf`) and `hcl`. */
export const TEMPLATE_LANGUAGES: readonly string[] = ['yaml', 'terraform', 'hcl'];

import { TerraformResource } from 'cdktf';
import { IConstruct } from 'constructs';
import { isStateHoldingResource, namespaceName } from '../policy/state-holding';
import { suppress } from '../policy/suppress';

/**
 * BAK-4: marks a state-holding resource so an ordinary `terraform apply`/`destroy` cannot
 * delete it. Removing the protection is a reviewed change of its own.
 */
export function protectFromDestroy(resource: TerraformResource, enabled: boolean): void {
  if (enabled) {
    resource.lifecycle = { ...(resource.lifecycle ?? {}), preventDestroy: true };
  }
}

/** A reviewed exception to `protectDataUnder`: one data-owning release or namespace, with why. */
export interface DataReplacement {
  readonly kind: 'release' | 'namespace';
  readonly name: string;
  readonly reason: string;
}

/**
 * BAK-4 in the platform stack: every Helm release and namespace under `scope` that the shared
 * classification (constructs/policy/state-holding.ts) calls state-holding (releases whose values
 * put data on a volume, the namespaces that hold data) gets prevent_destroy when `enabled`. A release or namespace listed in `replacements` (the definition's `unprotect`, for a
 * reviewed restore) is left replaceable and carries a TAI-DATA-1 suppression with its reason. An
 * entry that matches nothing is an error (a stale or misspelt exception). Returns what it protected.
 */
export function protectDataUnder(scope: IConstruct, enabled: boolean, replacements: readonly DataReplacement[] = []): TerraformResource[] {
  const protectedResources: TerraformResource[] = [];
  const used = new Set<DataReplacement>();
  for (const node of scope.node.findAll()) {
    if (!(node instanceof TerraformResource)) continue;
    const type = node.terraformResourceType;
    // Only releases and namespaces are classified by their configuration (and only they are protected here).
    if (type !== 'helm_release' && !/^kubernetes_namespace/.test(type)) continue;
    const config = Object.values((node.toTerraform() as { resource: Record<string, Record<string, Record<string, any>>> }).resource[type] ?? {})[0] ?? {};
    if (!isStateHoldingResource(type, config)) continue;
    const name = type === 'helm_release' ? config.name : namespaceName(config);
    const kind = type === 'helm_release' ? 'release' : 'namespace';
    const replacement = replacements.find((r) => r.kind === kind && r.name === name);
    if (replacement && enabled) {
      used.add(replacement);
      suppress(node, 'TAI-DATA-1', `replaced on purpose (definition unprotect): ${replacement.reason}`);
      continue;
    }
    if (enabled) {
      protectFromDestroy(node, true);
      protectedResources.push(node);
    }
  }
  const stale = replacements.filter((r) => !used.has(r));
  if (enabled && stale.length > 0) {
    throw new Error(`${scope.node.path}: unprotect lists ${stale.map((r) => `${r.kind} ${r.name}`).join(', ')}, which is not a data-owning ${stale.length > 1 ? 'resource' : 'release or namespace'} here`);
  }
  return protectedResources;
}

import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { LocalChartRelease } from '../data/local-chart-release';

/** One Secret of generated credentials. */
export interface GeneratedSecret {
  readonly name: string;
  /** @default 'Opaque' */
  readonly type?: 'Opaque' | 'kubernetes.io/basic-auth';
  /** Keys written as given (a user name, roles): never a credential. */
  readonly static?: Readonly<Record<string, string>>;
  /** Keys whose values are generated on first install (48 letters and digits) and kept afterwards. */
  readonly generated: readonly string[];
}

export interface GeneratedSecretsProps {
  /** Release name (unique per namespace). */
  readonly name: string;
  readonly namespace: string;
  readonly secrets: readonly GeneratedSecret[];
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Credentials generated in the cluster (charts/generated-secrets): Helm generates each value on
 * the first install and keeps it on every upgrade (lookup), so no credential is in the code, the
 * values or the Terraform state. The Secrets carry `helm.sh/resource-policy: keep`.
 */
export class GeneratedSecrets extends Construct {
  readonly release: LocalChartRelease;
  readonly names: readonly string[];

  constructor(scope: Construct, id: string, props: GeneratedSecretsProps) {
    super(scope, id);
    if (props.secrets.length === 0) throw new Error(`${this.node.path}: 'secrets' must name at least one Secret`);
    for (const s of props.secrets) {
      if (s.generated.length === 0 && Object.keys(s.static ?? {}).length === 0) throw new Error(`${this.node.path}: Secret '${s.name}' has no key`);
      const clash = s.generated.find((k) => s.static && k in s.static);
      if (clash) throw new Error(`${this.node.path}: Secret '${s.name}' sets '${clash}' both as a fixed and a generated key`);
    }
    this.names = props.secrets.map((s) => s.name);
    this.release = new LocalChartRelease(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      chart: 'generated-secrets',
      values: { secrets: props.secrets.map((s) => ({ name: s.name, type: s.type ?? 'Opaque', static: s.static ?? {}, generated: [...s.generated] })) },
      dependsOn: props.dependsOn,
    });
  }
}

import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { LocalChartRelease } from '../data/local-chart-release';
import { NodePlacement } from '../nodepools/placement';
import { EXTERNAL_SECRETS_IDENTITY, SyncedSecretKey, distinctKeys, secretsManagerName } from './secrets-manager';

export interface ExternalSecretsOperatorProps {
  /** The operator's namespace (pass the namespace resource's name so it exists first). */
  readonly namespace: string;
  readonly placement: NodePlacement;
  readonly dependsOn?: ITerraformDependable[];
}

const SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  enabled: true,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};
const resources = (cpu: string, memory: string, memoryLimit: string) => ({ requests: { cpu, memory }, limits: { cpu: '500m', memory: memoryLimit } });
/** The chart ships its health endpoints with the probes off; every container gets both (SEC-4). */
const PROBES = { livenessProbe: { enabled: true }, readinessProbe: { enabled: true } };

/**
 * SEC-1: the External Secrets Operator (chart `external-secrets`, CRDs included), whose service
 * account `external-secrets` reads AWS Secrets Manager through its Pod Identity role (cloud stack,
 * constructs/secrets/secrets-manager.ts). Restricted pods; its validating webhook rejects
 * malformed ExternalSecrets, so releases that create them depend on this one.
 */
export class ExternalSecretsOperator extends Construct {
  readonly release: ChartRelease;

  constructor(scope: Construct, id: string, props: ExternalSecretsOperatorProps) {
    super(scope, id);
    const { nodeSelector, tolerations } = props.placement;
    this.release = new ChartRelease(this, 'external-secrets', {
      name: 'external-secrets',
      namespace: props.namespace,
      chart: CHARTS.externalSecrets,
      values: {
        installCRDs: true,
        serviceAccount: { create: true, name: EXTERNAL_SECRETS_IDENTITY.serviceAccount },
        securityContext: SECURITY,
        resources: resources('20m', '64Mi', '256Mi'),
        nodeSelector,
        tolerations,
        ...PROBES,
        webhook: { securityContext: SECURITY, resources: resources('10m', '32Mi', '128Mi'), nodeSelector, tolerations, ...PROBES },
        certController: { securityContext: SECURITY, resources: resources('10m', '64Mi', '256Mi'), nodeSelector, tolerations, ...PROBES },
      },
      dependsOn: props.dependsOn,
    });
  }
}

export interface SyncedSecretsProps {
  /** Release name (unique per namespace). */
  readonly name: string;
  /** Namespace of the target Secrets (pass the namespace resource's name). */
  readonly namespace: string;
  /** Namespace name as a literal (what `secretsManagerName` was given in the cloud stack). */
  readonly namespaceName: string;
  /** Prefix of the Secrets Manager names (the environment's resource prefix). */
  readonly prefix: string;
  readonly region: string;
  /** Secrets and keys to sync; each must be in `namespaceName`. */
  readonly keys: readonly SyncedSecretKey[];
  /** How often the operator re-reads Secrets Manager. @default 15m */
  readonly refreshInterval?: string;
  /** The operator's release (CRDs and webhook must exist first). */
  readonly operator: ExternalSecretsOperator;
  readonly labels?: Record<string, string>;
}

/**
 * Kubernetes Secrets synced from AWS Secrets Manager: a SecretStore and one ExternalSecret per
 * Secret (charts/synced-secrets). While a person has not put a value yet, the ExternalSecret
 * reports SecretSyncedError and the target Secret does not exist: consumers mount it optionally.
 */
export class SyncedSecrets extends Construct {
  readonly release: LocalChartRelease;
  /** The target Secrets' names, each created at runtime by the operator from this release. */
  readonly secretNames: readonly string[];

  constructor(scope: Construct, id: string, props: SyncedSecretsProps) {
    super(scope, id);
    const keys = distinctKeys(props.keys);
    const wrong = keys.filter((k) => k.namespace !== props.namespaceName);
    if (wrong.length > 0) {
      throw new Error(`${this.node.path}: keys outside namespace ${props.namespaceName}: ${wrong.map((k) => `${k.namespace}/${k.secretName}`).join(', ')}`);
    }
    const bySecret = new Map<string, { key: string; remoteKey: string }[]>();
    for (const k of keys) {
      bySecret.set(k.secretName, [...(bySecret.get(k.secretName) ?? []), { key: k.key, remoteKey: secretsManagerName(props.prefix, k) }]);
    }
    this.secretNames = [...bySecret.keys()];
    this.release = new LocalChartRelease(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      chart: 'synced-secrets',
      values: {
        store: { name: 'aws-secrets-manager', region: props.region },
        refreshInterval: props.refreshInterval ?? '15m',
        secrets: [...bySecret.entries()].map(([name, data]) => ({ name, data })),
        labels: props.labels ?? {},
      },
      dependsOn: [props.operator.release.release],
    });
  }
}

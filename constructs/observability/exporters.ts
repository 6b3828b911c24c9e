import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';

/** A key of an existing Kubernetes Secret (in the exporters' namespace). */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface DatabaseExportersProps {
  /** Namespace of the databases' Secrets; the exporters run next to them. */
  readonly namespace: string;
  /** Where the exporters run (the system pool: they hold no data). */
  readonly placement: NodePlacement;
  /**
   * PostgreSQL: a Secret key holding a `postgresql://user:password@host:5432/db` URI, such as
   * the `uri` key of the CloudNativePG `<cluster>-app` Secret.
   * @default no PostgreSQL exporter
   */
  readonly postgresUri?: SecretKeyRef;
  /**
   * MongoDB: a Secret key holding a `mongodb://` connection string, such as the
   * `connectionString.standard` key of the Secret the MongoDB operator writes for a user.
   * @default no MongoDB exporter
   */
  readonly mongodbUri?: SecretKeyRef;
  /**
   * MongoDB serves TLS only: the Secret holding its CA (`ca.crt`), mounted read-only at
   * `mountDir`, where the URI's `tlsCAFile` points.
   */
  readonly mongodbCa?: { readonly secretName: string; readonly mountDir: string };
  /** Usually the monitoring release, which installs the ServiceMonitor CRD. */
  readonly dependsOn?: ITerraformDependable[];
}

/** Restricted Pod Security (SEC-4): the `data` namespace enforces it. */
const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  seccompProfile: { type: 'RuntimeDefault' },
};
const RESOURCES = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };

/**
 * Exporters for the data services (OBS-3) with ServiceMonitors, so Prometheus scrapes them.
 * Credentials are read from existing Secrets only; nothing is written here.
 */
export class DatabaseExporters extends Construct {
  readonly releases: Record<string, ChartRelease> = {};

  constructor(scope: Construct, id: string, props: DatabaseExportersProps) {
    super(scope, id);
    const { nodeSelector, tolerations } = props.placement;
    const common = { nodeSelector, tolerations, resources: RESOURCES };

    if (props.postgresUri) {
      this.releases.postgres = new ChartRelease(this, 'postgres', {
        name: 'postgres-exporter',
        namespace: props.namespace,
        chart: CHARTS.postgresExporter,
        dependsOn: props.dependsOn,
        values: {
          ...common,
          serviceMonitor: { enabled: true, interval: '30s' },
          config: { datasourceSecret: { name: props.postgresUri.name, key: props.postgresUri.key } },
        },
      });
    }

    if (props.mongodbUri) {
      this.releases.mongodb = new ChartRelease(this, 'mongodb', {
        name: 'mongodb-exporter',
        namespace: props.namespace,
        chart: CHARTS.mongodbExporter,
        dependsOn: props.dependsOn,
        values: {
          ...common,
          podSecurityContext: { ...POD_SECURITY, runAsUser: 10000, runAsGroup: 10000 },
          existingSecret: { name: props.mongodbUri.name, key: props.mongodbUri.key },
          ...(props.mongodbCa
            ? {
                volumes: [{ name: 'mongodb-ca', secret: { secretName: props.mongodbCa.secretName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }],
                volumeMounts: [{ name: 'mongodb-ca', mountPath: props.mongodbCa.mountDir, readOnly: true }],
              }
            : {}),
          serviceMonitor: { enabled: true, interval: '30s' },
        },
      });
    }
  }
}

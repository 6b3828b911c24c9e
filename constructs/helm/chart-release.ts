import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ChartRef } from './charts';
import { suppressRendered } from '../policy/suppress';

/** A Helm values tree: built as a typed object, serialized once. */
export type HelmValues = { readonly [key: string]: unknown };

export interface ChartReleaseProps {
  /** Release name (unique per namespace). */
  readonly name: string;
  /** Namespace the release installs into; pass the namespace resource's name so it is created first. */
  readonly namespace: string;
  /** The pinned chart, from CHARTS in ./charts.ts. */
  readonly chart: ChartRef;
  /** Values; every path must exist in the pinned chart's values.yaml (checked by the tests). */
  readonly values: HelmValues;
  /**
   * Seconds Helm waits for the release's resources to become ready.
   * @default 900
   */
  readonly timeoutSeconds?: number;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The one Helm building block every add-on uses: pinned chart and repository, typed values
 * serialized once as JSON (valid YAML), atomic installs that roll back on failure, bounded
 * history. Exposes the values it was given so tests can check every path against the chart.
 */
export class ChartRelease extends Construct {
  readonly release: Release;
  readonly chart: ChartRef;
  private currentValues: HelmValues;
  readonly releaseName: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: ChartReleaseProps) {
    super(scope, id);
    if (!/^\d+\.\d+\.\d+$|^v\d+\.\d+\.\d+$/.test(props.chart.version)) {
      throw new Error(`${this.node.path}: chart '${props.chart.chart}' must pin an exact version. Got: ${props.chart.version}`);
    }
    if (!/^(https|oci):\/\//.test(props.chart.repository)) {
      throw new Error(`${this.node.path}: chart repository must be https:// or oci://. Got: ${props.chart.repository}`);
    }
    this.chart = props.chart;
    this.currentValues = props.values;
    this.releaseName = props.name;
    this.namespace = props.namespace;
    this.release = new Release(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      chart: props.chart.chart,
      repository: props.chart.repository,
      version: props.chart.version,
      values: [JSON.stringify(props.values)],
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 10,
      timeout: props.timeoutSeconds ?? 900,
      dependsOn: props.dependsOn,
    });
  }

  /** The values the release installs with (what the values-path tests check). */
  get values(): HelmValues {
    return this.currentValues;
  }

  /**
   * Adds values that only exist once later parts of the stack are built (e.g. alert rules for
   * backups defined after the monitoring release). Objects merge key by key; a key `extra`
   * sets that is already set is an error, so nothing set earlier is silently replaced. The release
   * still installs one values document.
   */
  addValues(extra: HelmValues): void {
    this.currentValues = mergeValues(this.currentValues, extra, this.node.path, '');
    this.release.values = [JSON.stringify(this.currentValues)];
  }

  /**
   * A reviewed exception to one policy rule for one object this release renders (`<Kind>/<name>`),
   * checked when the tests render the chart (constructs/policy/rendered.ts).
   */
  suppressRendered(object: string, ruleId: string, reason: string): this {
    suppressRendered(this.release, object, ruleId, reason);
    return this;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeValues(base: HelmValues, extra: HelmValues, where: string, prefix: string): HelmValues {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (isPlainObject(existing) && isPlainObject(value)) out[key] = mergeValues(existing, value, where, path);
    else throw new Error(`${where}: values path '${path}' is already set`);
  }
  return out;
}

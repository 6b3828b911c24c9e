/**
 * The Kubernetes provider's workload resources (Deployment, DaemonSet, Job, CronJob).
 *
 * Typed with the generated configuration interfaces of ./workload-types.generated.ts instead of
 * the provider's own declarations: the provider declares each workload's pod template separately
 * (about 800 KB of declarations each); the generated interfaces share one pod template and leave
 * out the output-reference classes, which keeps a clean type-check of the app about a second
 * faster and 85 MB smaller. `__tests__/workload-types.test.ts` checks, under the full tsconfig with
 * the provider's own declarations loaded, that every generated interface is a deep subset of the
 * provider's (same keys, assignable types), so nothing accepted here can be dropped or mistyped.
 *
 * Written into Terraform JSON by ./workload-converters.generated.ts, a table of what the
 * provider's classes do for each block (attribute names and order, and how each field is mapped),
 * interpreted with cdktf's own mappers: the provider's classes implement this with one function
 * per block, about 19 MB of JavaScript for the four, which every process that loaded the program
 * compiled (about 0.35 s of its start-up). `__tests__/determinism.test.ts` synthesizes every
 * environment with the provider's own classes (`useProviderWorkloadClasses`) and proves the
 * output byte-identical. Regenerate both files with `npm run codegen` after upgrading
 * @cdktf/provider-kubernetes.
 */
import { Construct } from 'constructs';
import { canInspect, ComplexObject, hashMapper, isComplexElement, listMapper, TerraformMetaArguments, TerraformResource, TerraformResourceConfig, Tokenization } from 'cdktf';
import type {
  CronJobV1Config,
  DaemonSetV1Config,
  DeploymentV1Config,
  JobV1Config,
} from './workload-types.generated';
import { WORKLOAD_CONVERTERS } from './workload-converters.generated';

export type { CronJobV1Config, DaemonSetV1Config, DeploymentV1Config, JobV1Config };
export type { PodSpecVolume } from './workload-types.generated';

/** The attributes of a workload other resources read. */
export interface WorkloadMetadataAttributes {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

/** A workload resource as the program uses it: a Terraform resource with readable metadata. */
export interface Workload extends TerraformResource {
  readonly metadata: WorkloadMetadataAttributes;
}

type WorkloadClass<C> = new (scope: Construct, id: string, config: C) => Workload;

/** How a field is mapped: `s` a value, `sl` a list of values, `sm` a map of values, `b` a block, `bl` a list of blocks. */
type Kind = 's' | 'sl' | 'sm' | 'b' | 'bl';
/** [Terraform attribute, configuration field, kind, block index (b and bl)] */
type Field = readonly [string, string, Kind, number?];
interface ConverterTable {
  readonly resources: Record<string, { readonly type: string; readonly generator: TerraformResourceConfig['terraformGeneratorMetadata']; readonly fields: Field[] }>;
  readonly blocks: Field[][];
}
type Mapper = (x: unknown) => unknown;

const TABLE = JSON.parse(WORKLOAD_CONVERTERS) as ConverterTable;
const identity: Mapper = (x) => x;
const blockMappers: Mapper[] = [];

/** A block's mapper: what the provider's `<block>ToTerraform` function does. */
function blockMapper(index: number): Mapper {
  if (blockMappers[index]) return blockMappers[index];
  let fields: Array<readonly [string, string, Mapper]> | undefined;
  const mapper: Mapper = (struct) => {
    if (!canInspect(struct) || Tokenization.isResolvable(struct)) return struct;
    if (isComplexElement(struct)) throw new Error('A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration');
    fields ??= TABLE.blocks[index].map(([tf, key, kind, block]) => [tf, key, fieldMapper(kind, block)] as const);
    const out: Record<string, unknown> = {};
    for (const [tf, key, map] of fields) out[tf] = map((struct as Record<string, unknown>)[key]);
    return out;
  };
  blockMappers[index] = mapper;
  return mapper;
}

function fieldMapper(kind: Kind, block?: number): Mapper {
  switch (kind) {
    case 's':
      return identity;
    case 'sl':
      return listMapper(identity, false);
    case 'sm':
      return hashMapper(identity);
    case 'b':
      return blockMapper(block!);
    case 'bl':
      return listMapper(blockMapper(block!), true);
  }
}

/** `metadata` of a workload, read as the provider's output reference reads it (`metadata[0].<name>` is its interpolation). */
class MetadataReference extends ComplexObject implements WorkloadMetadataAttributes {
  constructor(resource: TerraformResource, attribute: string) {
    super(resource, attribute, false, 0);
  }

  get name(): string {
    return this.getStringAttribute('name');
  }

  get namespace(): string {
    return this.getStringAttribute('namespace');
  }

  get uid(): string {
    return this.getStringAttribute('uid');
  }
}

/** One of the four workload resources, written as the provider's class writes it. */
class TableWorkload extends TerraformResource implements Workload {
  readonly metadata: WorkloadMetadataAttributes;
  /** Each Terraform attribute, in the provider's order, with its configured value and mapper. */
  private readonly attributes: ReadonlyArray<readonly [string, unknown, Mapper]>;

  constructor(scope: Construct, id: string, resource: ConverterTable['resources'][string], config: TerraformMetaArguments & Record<string, unknown>) {
    super(scope, id, {
      terraformResourceType: resource.type,
      terraformGeneratorMetadata: resource.generator,
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach,
    });
    this.metadata = new MetadataReference(this, 'metadata');
    this.attributes = resource.fields.map(([tf, key, kind, block]) => [tf, config[key], fieldMapper(kind, block)] as const);
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [tf, value, map] of this.attributes) out[tf] = map(value);
    return out;
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    throw new Error(`${this.node.path}: the workload resources are written as Terraform JSON only (cdktf's HCL output is not supported for them)`);
  }
}

let providerClasses = false;

/**
 * Tests only: build workloads with the provider's own classes (as before the converter table),
 * to prove the table writes the same JSON. Returns the previous setting.
 */
export function useProviderWorkloadClasses(use: boolean): boolean {
  const previous = providerClasses;
  providerClasses = use;
  return previous;
}

function workloadClass<C>(name: keyof typeof MODULES): WorkloadClass<C> {
  const resource = TABLE.resources[name];
  return class {
    constructor(scope: Construct, id: string, config: C) {
      if (providerClasses) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Provider = (require(`@cdktf/provider-kubernetes/lib/${MODULES[name]}`) as Record<string, WorkloadClass<C>>)[name];
        return new Provider(scope, id, config);
      }
      return new TableWorkload(scope, id, resource, config as TerraformMetaArguments & Record<string, unknown>);
    }
  } as unknown as WorkloadClass<C>;
}

const MODULES = { DeploymentV1: 'deployment-v1', DaemonSetV1: 'daemon-set-v1', JobV1: 'job-v1', CronJobV1: 'cron-job-v1' } as const;

export const DeploymentV1 = workloadClass<DeploymentV1Config>('DeploymentV1');
export const DaemonSetV1 = workloadClass<DaemonSetV1Config>('DaemonSetV1');
export const JobV1 = workloadClass<JobV1Config>('JobV1');
export const CronJobV1 = workloadClass<CronJobV1Config>('CronJobV1');

export type DeploymentV1 = Workload;
export type DaemonSetV1 = Workload;
export type JobV1 = Workload;
export type CronJobV1 = Workload;

/**
 * How every scheduled job of the platform runs: on UTC, never two runs at once, and the last
 * three failures kept for inspection. Spread into a CronJob's `spec`.
 */
export const CRON_JOB_POLICY = {
  timezone: 'Etc/UTC',
  concurrencyPolicy: 'Forbid',
  failedJobsHistoryLimit: 3,
} as const;

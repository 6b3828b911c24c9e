import { Construct } from 'constructs';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { protectFromDestroy } from '../common/protection';

export interface ImageRepositoryProps {
  /** Repository name, e.g. `toronto-ai-production/team-agent`. */
  readonly name: string;
  /** Customer-managed KMS key the images are encrypted with (cannot change after creation). */
  readonly kmsKeyArn: string;
  /** Untagged images (superseded pushes, build layers) expire this many days after their push. */
  readonly untaggedExpiryDays: number;
  /** Tagged images kept: the newest `keepReleases`; older ones expire. */
  readonly keepReleases: number;
  /** BAK-4: prevent_destroy on the repository (its releases are what rollbacks go back to). */
  readonly protect: boolean;
}

/**
 * A private ECR repository for release images: every push is scanned, tags are immutable (a
 * release tag always names the image that was tested), images are encrypted with a customer key,
 * and a lifecycle policy expires untagged images after N days and keeps the newest N tagged ones.
 */
export class ImageRepository extends Construct {
  readonly repository: EcrRepository;
  readonly lifecycle: EcrLifecyclePolicy;
  readonly url: string;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(props.name) || props.name.length > 256) {
      throw new Error(`${this.node.path}: 'name' must be an ECR repository name (lower-case path segments, at most 256 characters). Got: ${props.name}`);
    }
    if (props.untaggedExpiryDays < 1) throw new Error(`${this.node.path}: 'untaggedExpiryDays' must be at least 1. Got: ${props.untaggedExpiryDays}`);
    if (props.keepReleases < 2) throw new Error(`${this.node.path}: 'keepReleases' must be at least 2 (the active release and the one to roll back to). Got: ${props.keepReleases}`);
    this.name = props.name;
    this.repository = new EcrRepository(this, 'repository', {
      name: props.name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: props.kmsKeyArn }],
      forceDelete: false,
    });
    protectFromDestroy(this.repository, props.protect);
    this.url = this.repository.repositoryUrl;
    this.arn = this.repository.arn;
    this.lifecycle = new EcrLifecyclePolicy(this, 'lifecycle', {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Expire untagged images ${props.untaggedExpiryDays} days after their push`,
            selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: props.untaggedExpiryDays },
            action: { type: 'expire' },
          },
          {
            rulePriority: 2,
            description: `Keep the newest ${props.keepReleases} tagged releases`,
            selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: props.keepReleases },
            action: { type: 'expire' },
          },
        ],
      }),
    });
  }
}

import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { ElasticacheUserGroup } from '@cdktf/provider-aws/lib/elasticache-user-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { PolicyStatement } from '../common/iam';
import { protectFromDestroy } from '../common/protection';

/** Port of the Redis protocol. */
export const REDIS_PORT = 6379;

export interface RedisCacheProps {
  /** Replication group id and name prefix of every resource (<= 40 characters, lower case). */
  readonly name: string;
  readonly engine: 'valkey' | 'redis';
  /** Engine version (major.minor); IAM authentication needs 7.0 or later. */
  readonly engineVersion: string;
  readonly nodeType: string;
  /** Read replicas next to the primary; with >= 1 the group fails over automatically. */
  readonly replicas: number;
  /** Spread primary and replicas over zones and fail over across them (needs replicas >= 1). */
  readonly multiAz: boolean;
  readonly vpcId: string;
  /** Subnets of the cache nodes (the data tier), one per zone. */
  readonly subnetIds: string[];
  /** Security groups whose members may connect on 6379 (the EKS cluster security group). */
  readonly clientSecurityGroupIds: string[];
  /** KMS key (ARN) for encryption at rest (and of the snapshots). */
  readonly kmsKeyArn: string;
  /** KMS key (ARN) of the log group receiving the slow and engine logs. */
  readonly logsKeyArn: string;
  readonly logRetentionDays: number;
  /** Days of automatic snapshots (0: none). */
  readonly snapshotRetentionDays: number;
  /** BAK-4: prevent_destroy and a final snapshot on deletion. */
  readonly protect: boolean;
  /**
   * Further IAM-authenticated users, each limited to the keys under its own prefix (e.g. the
   * beta channel's, `beta:`), so one client cannot read another's keys. User id and name are
   * `<name>-<user>`.
   * @default none (only the application user `<name>-app`, on every key)
   */
  readonly additionalUsers?: readonly { readonly user: string; readonly keyPrefix: string }[];
  /**
   * OBS-2: SNS topic (same region) for the cache's CloudWatch alarms. The cache authenticates with
   * IAM, which the Prometheus redis exporter cannot do, so its health is watched in CloudWatch.
   * @default no alarms
   */
  readonly alarmTopicArn?: string;
}

/** CloudWatch alarms of the cache: metric, threshold (percent), and what it means. */
export const REDIS_ALARMS = [
  { metric: 'EngineCPUUtilization', threshold: 80, meaning: 'the Redis engine thread is saturated' },
  { metric: 'DatabaseMemoryUsagePercentage', threshold: 90, meaning: 'the cache is close to evicting keys' },
] as const;

/**
 * DATA-4: a managed Redis-compatible cache (ElastiCache, Valkey or Redis OSS) in the data subnets.
 *
 * - Reachable only from the EKS cluster security group, on 6379.
 * - Encrypted at rest with a customer-managed KMS key and in transit (TLS required).
 * - Authentication through ElastiCache RBAC with an IAM-authenticated user: clients sign a
 *   short-lived token with their Pod Identity role (`elasticache:Connect`), so there is no
 *   password anywhere: not in code, not in Terraform state. The `default` user is switched off.
 * - Multi-AZ with automatic failover when replicas exist; snapshots kept per definition.
 */
export class RedisCache extends Construct {
  readonly replicationGroup: ElasticacheReplicationGroup;
  readonly securityGroup: SecurityGroup;
  readonly appUser: ElasticacheUser;
  /** The IAM-authenticated user the application connects as (user id = user name). */
  readonly appUserName: string;
  /** The `additionalUsers`, by their `user` key. */
  readonly additionalUsers: Readonly<Record<string, ElasticacheUser>> = {};
  /** Replication group id: IAM auth tokens are signed for it (the client needs it as `cacheName`). */
  readonly replicationGroupId: string;
  readonly primaryEndpoint: string;
  readonly readerEndpoint: string;
  readonly port = REDIS_PORT;

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.name)) {
      throw new Error(`${this.node.path}: 'name' must be lower-case letters, digits and dashes, at most 40 characters. Got: ${props.name}`);
    }
    if (props.multiAz && props.replicas < 1) {
      throw new Error(`${this.node.path}: 'multiAz' needs at least one replica. Got: replicas=${props.replicas}`);
    }
    if (Number(props.engineVersion.split('.')[0]) < 7) {
      throw new Error(`${this.node.path}: IAM authentication needs engine version 7.0 or later. Got: ${props.engineVersion}`);
    }

    const subnetGroup = new ElasticacheSubnetGroup(this, 'subnets', {
      name: props.name,
      description: `${props.name}: data-tier subnets of the cache`,
      subnetIds: props.subnetIds,
    });

    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: props.name,
      description: `${props.name}: Redis protocol from the EKS cluster only`,
      vpcId: props.vpcId,
      revokeRulesOnDelete: true,
    });
    props.clientSecurityGroupIds.forEach((source, i) => {
      new VpcSecurityGroupIngressRule(this, `from-clients-${i}`, {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: source,
        ipProtocol: 'tcp',
        fromPort: REDIS_PORT,
        toPort: REDIS_PORT,
        description: 'Redis (TLS) from the EKS cluster',
      });
    });

    // RBAC: a user group with the switched-off `default` user and one IAM-authenticated user.
    const defaultUser = new ElasticacheUser(this, 'default-user', {
      userId: `${props.name}-default`,
      userName: 'default',
      engine: props.engine,
      accessString: 'off -@all',
      authenticationMode: { type: 'no-password-required' },
    });
    this.appUserName = `${props.name}-app`;
    this.appUser = new ElasticacheUser(this, 'app-user', {
      // IAM authentication requires the user id and the user name to be the same.
      userId: this.appUserName,
      userName: this.appUserName,
      engine: props.engine,
      accessString: 'on ~* +@all -@admin -@dangerous',
      authenticationMode: { type: 'iam' },
    });
    const additional: Record<string, ElasticacheUser> = {};
    for (const u of props.additionalUsers ?? []) {
      if (!/^[a-z][a-z0-9-]*$/.test(u.user) || u.user === 'app' || u.user === 'default') {
        throw new Error(`${this.node.path}: additional user '${u.user}' must be lower-case letters, digits and dashes, not 'app' or 'default'`);
      }
      if (!/^[a-z0-9][a-z0-9:_-]*:$/.test(u.keyPrefix)) {
        throw new Error(`${this.node.path}: keyPrefix of '${u.user}' must end with ':' and hold no wildcard, e.g. "beta:". Got: ${u.keyPrefix}`);
      }
      const id = `${props.name}-${u.user}`;
      additional[u.user] = new ElasticacheUser(this, `user-${u.user}`, {
        userId: id,
        userName: id,
        engine: props.engine,
        accessString: `on ~${u.keyPrefix}* +@all -@admin -@dangerous`,
        authenticationMode: { type: 'iam' },
      });
    }
    this.additionalUsers = additional;
    const userGroup = new ElasticacheUserGroup(this, 'user-group', {
      userGroupId: props.name,
      engine: props.engine,
      userIds: [defaultUser.userId, this.appUser.userId, ...Object.values(additional).map((u) => u.userId)],
    });

    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/elasticache/${props.name}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKeyArn,
    });

    const failover = props.replicas >= 1;
    this.replicationGroup = new ElasticacheReplicationGroup(this, 'replication-group', {
      replicationGroupId: props.name,
      description: `${props.name}: application cache (DATA-4)`,
      engine: props.engine,
      engineVersion: props.engineVersion,
      nodeType: props.nodeType,
      port: REDIS_PORT,
      numCacheClusters: 1 + props.replicas,
      automaticFailoverEnabled: failover,
      multiAzEnabled: props.multiAz,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [this.securityGroup.id],
      atRestEncryptionEnabled: 'true',
      kmsKeyId: props.kmsKeyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      userGroupIds: [userGroup.userGroupId],
      autoMinorVersionUpgrade: 'true',
      snapshotRetentionLimit: props.snapshotRetentionDays,
      snapshotWindow: props.snapshotRetentionDays > 0 ? '03:00-04:00' : undefined,
      maintenanceWindow: 'sun:05:00-sun:06:00',
      finalSnapshotIdentifier: props.protect ? `${props.name}-final` : undefined,
      logDeliveryConfiguration: [
        { destination: logGroup.name, destinationType: 'cloudwatch-logs', logFormat: 'json', logType: 'slow-log' },
        { destination: logGroup.name, destinationType: 'cloudwatch-logs', logFormat: 'json', logType: 'engine-log' },
      ],
    });
    protectFromDestroy(this.replicationGroup, props.protect);
    protectFromDestroy(logGroup, props.protect);
    this.replicationGroupId = props.name;
    this.primaryEndpoint = this.replicationGroup.primaryEndpointAddress;
    this.readerEndpoint = this.replicationGroup.readerEndpointAddress;
    if (props.alarmTopicArn) {
      for (const alarm of REDIS_ALARMS) {
        new CloudwatchMetricAlarm(this, `alarm-${alarm.metric}`, {
          alarmName: `${props.name}-${alarm.metric}`,
          alarmDescription: `${props.name}: ${alarm.metric} above ${alarm.threshold} % for 10 minutes (${alarm.meaning}). Decision: INVESTIGATE, README.md#alert-decision-matrix`,
          namespace: 'AWS/ElastiCache',
          metricName: alarm.metric,
          dimensions: { ReplicationGroupId: this.replicationGroup.id },
          statistic: 'Maximum',
          period: 300,
          evaluationPeriods: 2,
          comparisonOperator: 'GreaterThanThreshold',
          threshold: alarm.threshold,
          treatMissingData: 'breaching',
          alarmActions: [props.alarmTopicArn],
          okActions: [props.alarmTopicArn],
        });
      }
    }
  }

  /**
   * The statement a client's workload role needs to connect as one IAM user (SigV4 token of
   * `elasticache:Connect` on the replication group and that user): the application user, or one
   * of `additionalUsers` by its key.
   */
  connectStatement(user?: string): PolicyStatement {
    const target = user === undefined ? this.appUser : this.additionalUsers[user];
    if (target === undefined) {
      throw new Error(`${this.node.path}: no cache user '${user}'. Declared: app, ${Object.keys(this.additionalUsers).join(', ')}`);
    }
    return {
      Sid: 'ConnectToCacheAsIamUser',
      Effect: 'Allow',
      Action: 'elasticache:Connect',
      Resource: [this.replicationGroup.arn, target.arn],
    };
  }

  /** The user name (= user id) of the application user or of one of `additionalUsers`. */
  userName(user?: string): string {
    return user === undefined ? this.appUserName : `${this.replicationGroupId}-${user}`;
  }
}

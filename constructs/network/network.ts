import { Construct } from 'constructs';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { policyDocument } from '../common/iam';
import { protectFromDestroy } from '../common/protection';

/** Interface endpoints for the AWS APIs nodes and workloads call, so that traffic stays private. */
export const INTERFACE_ENDPOINT_SERVICES = [
  'ec2',
  'ecr.api',
  'ecr.dkr',
  'sts',
  'logs',
  'kms',
  'ssm',
  'ssmmessages',
  'ec2messages',
  'eks',
  'eks-auth',
  'elasticloadbalancing',
  'autoscaling',
] as const;

export interface NetworkProps {
  /** Prefix of every name, e.g. `toronto-ai-production`. */
  readonly namePrefix: string;
  readonly region: string;
  /** Account of the VPC (the flow-log role trusts only this account's flow logs). */
  readonly accountId: string;
  readonly cidr: string;
  /** The zones, in order; subnet lists are indexed like this list. */
  readonly availabilityZones: readonly string[];
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly dataSubnetCidrs: readonly string[];
  /** `per-az`: one NAT gateway per zone; `single`: one in the first zone. */
  readonly natGateways: 'per-az' | 'single';
  /** EKS cluster name, for the subnet discovery tags of the load balancer controller. */
  readonly clusterName: string;
  readonly flowLogRetentionDays: number;
  /** KMS key (ARN) encrypting the flow-log group. */
  readonly logsKeyArn: string;
  /** Flow-log group is evidence: keep it on destroy in staging and production. */
  readonly protect: boolean;
}

/**
 * The VPC of NET-1..3: public, private (application) and data subnet tiers per zone, NAT egress,
 * flow logs to an encrypted log group, the default security group emptied, and private
 * endpoints for the AWS services nodes use.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly vpcId: string;
  readonly cidr: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  readonly dataSubnetIds: string[];
  readonly natGatewayCount: number;
  readonly endpointSecurityGroupId: string;
  readonly flowLogGroupName: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const zones = props.availabilityZones;
    for (const [name, list] of [
      ['publicSubnetCidrs', props.publicSubnetCidrs],
      ['privateSubnetCidrs', props.privateSubnetCidrs],
      ['dataSubnetCidrs', props.dataSubnetCidrs],
    ] as const) {
      if (list.length !== zones.length) {
        throw new Error(`${this.node.path}: '${name}' needs one CIDR per zone (${zones.length}). Got: ${list.length}`);
      }
    }
    const p = props.namePrefix;
    this.cidr = props.cidr;
    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: p },
    });
    this.vpcId = this.vpc.id;

    // NET-2: the default security group allows nothing; every tier uses its own group.
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: this.vpc.id, tags: { Name: `${p}-default-deny` } });

    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: { Name: p } });

    const clusterTag = `kubernetes.io/cluster/${props.clusterName}`;
    const publicRt = new RouteTable(this, 'public-rt', { vpcId: this.vpc.id, tags: { Name: `${p}-public` } });
    new Route(this, 'public-default', { routeTableId: publicRt.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });

    const publicSubnets = zones.map((az, i) => {
      const subnet = new Subnet(this, `public-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: props.publicSubnetCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${p}-public-${az}`, Tier: 'public', 'kubernetes.io/role/elb': '1', [clusterTag]: 'shared' },
      });
      new RouteTableAssociation(this, `public-${az}-rta`, { subnetId: subnet.id, routeTableId: publicRt.id });
      return subnet;
    });

    this.natGatewayCount = props.natGateways === 'per-az' ? zones.length : 1;
    const nats = publicSubnets.slice(0, this.natGatewayCount).map((subnet, i) => {
      const az = zones[i];
      const eip = new Eip(this, `nat-eip-${az}`, { domain: 'vpc', tags: { Name: `${p}-nat-${az}` } });
      return new NatGateway(this, `nat-${az}`, {
        allocationId: eip.allocationId,
        subnetId: subnet.id,
        connectivityType: 'public',
        tags: { Name: `${p}-nat-${az}` },
        dependsOn: [igw],
      });
    });

    const privateRouteTables: RouteTable[] = [];
    const privateSubnets = zones.map((az, i) => {
      const rt = new RouteTable(this, `private-rt-${az}`, { vpcId: this.vpc.id, tags: { Name: `${p}-private-${az}` } });
      new Route(this, `private-default-${az}`, {
        routeTableId: rt.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: nats[Math.min(i, nats.length - 1)].id,
      });
      privateRouteTables.push(rt);
      const subnet = new Subnet(this, `private-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: props.privateSubnetCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${p}-private-${az}`, Tier: 'private', 'kubernetes.io/role/internal-elb': '1', [clusterTag]: 'shared' },
      });
      new RouteTableAssociation(this, `private-${az}-rta`, { subnetId: subnet.id, routeTableId: rt.id });
      return subnet;
    });

    // Data tier: no route to the internet at all, only the VPC and its endpoints.
    const dataRt = new RouteTable(this, 'data-rt', { vpcId: this.vpc.id, tags: { Name: `${p}-data` } });
    const dataSubnets = zones.map((az, i) => {
      const subnet = new Subnet(this, `data-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: props.dataSubnetCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${p}-data-${az}`, Tier: 'data' },
      });
      new RouteTableAssociation(this, `data-${az}-rta`, { subnetId: subnet.id, routeTableId: dataRt.id });
      return subnet;
    });

    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.dataSubnetIds = dataSubnets.map((s) => s.id);

    // Private endpoints: S3 as a gateway, the APIs nodes call as interfaces (HTTPS from the VPC only).
    new VpcEndpoint(this, 'endpoint-s3', {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [...privateRouteTables.map((rt) => rt.id), dataRt.id],
      tags: { Name: `${p}-s3` },
    });
    const endpointSg = new SecurityGroup(this, 'endpoint-sg', {
      name: `${p}-vpc-endpoints`,
      description: 'HTTPS from inside the VPC to the AWS interface endpoints',
      vpcId: this.vpc.id,
      ingress: [{ description: 'HTTPS from the VPC', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [props.cidr] }],
      egress: [],
      tags: { Name: `${p}-vpc-endpoints` },
    });
    this.endpointSecurityGroupId = endpointSg.id;
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, `endpoint-${service.replace('.', '-')}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [endpointSg.id],
        tags: { Name: `${p}-${service}` },
      });
    }

    // NET-3: flow logs of all traffic to an encrypted, retained log group.
    const flowLogGroup = new CloudwatchLogGroup(this, 'flow-log-group', {
      name: `/aws/vpc/${p}/flow-logs`,
      retentionInDays: props.flowLogRetentionDays,
      kmsKeyId: props.logsKeyArn,
    });
    protectFromDestroy(flowLogGroup, props.protect);
    this.flowLogGroupName = flowLogGroup.name;
    const flowRole = new IamRole(this, 'flow-log-role', {
      name: `${p}-vpc-flow-logs`,
      assumeRolePolicy: policyDocument([
        {
          Effect: 'Allow',
          Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
          Action: 'sts:AssumeRole',
          // Confused-deputy protection: only flow logs of this account and region may use the role.
          Condition: {
            StringEquals: { 'aws:SourceAccount': props.accountId },
            ArnLike: { 'aws:SourceArn': `arn:aws:ec2:${props.region}:${props.accountId}:vpc-flow-log/*` },
          },
        },
      ]),
    });
    new IamRolePolicy(this, 'flow-log-policy', {
      role: flowRole.id,
      name: 'write-flow-logs',
      policy: policyDocument([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [flowLogGroup.arn, `${flowLogGroup.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, 'flow-log', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: flowLogGroup.arn,
      iamRoleArn: flowRole.arn,
      maxAggregationInterval: 60,
      tags: { Name: p },
    });
  }
}

/** The `<env>` stacks: provider, backend, network, keys, cluster, add-ons, node pools, protection. */
import { Json, resourceAt, resources, shipped, address } from './helpers';
import { CONTROL_PLANE_LOG_TYPES } from '../constructs/cluster/cluster';
import { INTERFACE_ENDPOINT_SERVICES } from '../constructs/network/network';
import { EKS_VERSIONS } from '../environments/catalog';

const cloud = (name: string): Json => shipped(name).cloud;
const prod = cloud('production');
const dev = cloud('development');
const testing = cloud('testing');

describe('provider and state (OPS-2, OPS-4)', () => {
  test('the aws provider pins region, allowed accounts and default tags', () => {
    expect(prod.provider.aws[0]).toEqual({
      region: 'ca-central-1',
      allowed_account_ids: ['444455556666'],
      default_tags: [
        {
          tags: {
            Environment: 'production',
            Tier: 'production',
            Project: 'toronto-ai-team-agent',
            Owner: 'platform-engineering',
            ManagedBy: 'cdktf',
            CostCenter: 'ai-platform',
          },
        },
      ],
    });
  });

  test('only the aws provider is required and no data source calls AWS', () => {
    expect(Object.keys(prod.terraform.required_providers)).toEqual(['aws']);
    expect(prod.data ?? {}).toEqual({});
  });

  test('production state goes to S3, encrypted, with native locking', () => {
    expect(prod.terraform.backend).toEqual({
      s3: {
        bucket: 'toronto-ai-terraform-state-444455556666',
        key: 'toronto-ai/production.tfstate',
        region: 'ca-central-1',
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  test('development keeps state in a local file', () => {
    expect(dev.terraform.backend).toEqual({ local: { path: '../../../terraform-state/terraform.development.tfstate' } });
  });
});

describe('network (NET-1..3)', () => {
  test('three tiers per zone: 9 subnets in production, none mapping public IPs', () => {
    const subnets = resources(prod, 'aws_subnet');
    expect(subnets).toHaveLength(9);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    expect(subnets.filter((s) => s.tags.Tier === 'data').map((s) => s.cidr_block)).toEqual(['10.40.10.0/24', '10.40.11.0/24', '10.40.12.0/24']);
  });

  test('subnets carry the tags EKS load balancing needs', () => {
    const pub = resourceAt(prod, 'aws_subnet', 'network/public-ca-central-1a');
    const priv = resourceAt(prod, 'aws_subnet', 'network/private-ca-central-1a');
    expect(pub.tags['kubernetes.io/role/elb']).toBe('1');
    expect(priv.tags['kubernetes.io/role/internal-elb']).toBe('1');
    expect(priv.tags['kubernetes.io/cluster/toronto-ai-production']).toBe('shared');
  });

  test('a NAT gateway per zone in production, one in testing', () => {
    expect(resources(prod, 'aws_nat_gateway')).toHaveLength(3);
    expect(resources(testing, 'aws_nat_gateway')).toHaveLength(1);
  });

  test('each private route table uses the NAT gateway of its own zone in production', () => {
    const rt = resourceAt(prod, 'aws_route', 'network/private-default-ca-central-1b');
    const nat = resourceAt(prod, 'aws_nat_gateway', 'network/nat-ca-central-1b');
    expect(rt.nat_gateway_id).toBe(`\${${address('aws_nat_gateway', nat)}.id}`);
  });

  test('the data tier has no route out of the VPC', () => {
    const dataRt = resourceAt(prod, 'aws_route_table', 'network/data-rt');
    const routes = resources(prod, 'aws_route').filter((r) => r.route_table_id === `\${${address('aws_route_table', dataRt)}.id}`);
    expect(routes).toEqual([]);
  });

  test('the default security group is emptied', () => {
    const sg = resourceAt(prod, 'aws_default_security_group', 'network/default-sg');
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  test('flow logs of all traffic go to an encrypted, retained log group', () => {
    const flow = resourceAt(prod, 'aws_flow_log', 'network/flow-log');
    const group = resourceAt(prod, 'aws_cloudwatch_log_group', 'network/flow-log-group');
    const key = resourceAt(prod, 'aws_kms_key', 'key-logs/key');
    expect(flow.traffic_type).toBe('ALL');
    expect(flow.log_destination).toBe(`\${${address('aws_cloudwatch_log_group', group)}.arn}`);
    expect(group.retention_in_days).toBe(365);
    expect(group.kms_key_id).toBe(`\${${address('aws_kms_key', key)}.arn}`);
  });

  test("the flow-log role trusts only this account's flow logs (confused-deputy conditions)", () => {
    const role = resourceAt(prod, 'aws_iam_role', 'network/flow-log-role');
    const trust = JSON.parse(role.assume_role_policy);
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '444455556666' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:ca-central-1:444455556666:vpc-flow-log/*' },
        },
      },
    ]);
  });

  test('private endpoints for S3 (gateway) and every API nodes call (interface)', () => {
    const endpoints = resources(prod, 'aws_vpc_endpoint');
    expect(endpoints.filter((e) => e.vpc_endpoint_type === 'Gateway').map((e) => e.service_name)).toEqual(['com.amazonaws.ca-central-1.s3']);
    const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map((e) => e.service_name.replace('com.amazonaws.ca-central-1.', '')).sort()).toEqual([...INTERFACE_ENDPOINT_SERVICES].sort());
    expect(interfaces.every((e) => e.private_dns_enabled === true)).toBe(true);
  });

  test('the endpoint security group admits HTTPS from the VPC only', () => {
    const sg = resourceAt(prod, 'aws_security_group', 'network/endpoint-sg');
    expect(sg.ingress).toEqual([expect.objectContaining({ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.40.0.0/16'] })]);
  });
});

describe('KMS keys (SEC-3)', () => {
  test('the four foundation keys exist, and every key rotates yearly with an explicit policy', () => {
    const aliases = resources(prod, 'aws_kms_alias').map((a) => a.name);
    for (const purpose of ['eks-secrets', 'volumes', 'logs', 'backups']) {
      expect(aliases).toContain(`alias/toronto-ai-production-${purpose}`);
    }
    const keys = resources(prod, 'aws_kms_key');
    for (const k of keys) {
      expect(k.enable_key_rotation).toBe(true);
      expect(k.rotation_period_in_days).toBe(365);
      expect(k.deletion_window_in_days).toBe(30);
      const policy = JSON.parse(k.policy);
      expect(policy.Statement[0].Principal).toEqual({ AWS: 'arn:aws:iam::444455556666:root' });
      expect(policy.Statement.length).toBeGreaterThanOrEqual(1);
    }
  });

  test('CloudWatch Logs may use the logs key only for this account\'s log groups', () => {
    const key = resourceAt(prod, 'aws_kms_key', 'key-logs/key');
    const statement = JSON.parse(key.policy).Statement.find((s: Json) => s.Sid === 'CloudWatchLogsInThisAccount');
    expect(statement.Principal).toEqual({ Service: 'logs.ca-central-1.amazonaws.com' });
    expect(statement.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toBe('arn:aws:logs:ca-central-1:444455556666:*');
  });
});

describe('EKS cluster (K8S-1)', () => {
  const cluster = resourceAt(prod, 'aws_eks_cluster', 'cluster/cluster');

  test('supported version, all control-plane logs, access entries only', () => {
    expect(cluster.version).toBe('1.35');
    expect(cluster.enabled_cluster_log_types).toEqual(CONTROL_PLANE_LOG_TYPES);
    expect(cluster.access_config).toEqual({ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false });
  });

  test('secrets are encrypted with the secrets key', () => {
    const key = resourceAt(prod, 'aws_kms_key', 'key-secrets/key');
    expect(cluster.encryption_config).toEqual({ resources: ['secrets'], provider: { key_arn: `\${${address('aws_kms_key', key)}.arn}` } });
  });

  test('production API endpoint is private only', () => {
    expect(cluster.vpc_config.endpoint_private_access).toBe(true);
    expect(cluster.vpc_config.endpoint_public_access).toBe(false);
    expect(cluster.vpc_config.public_access_cidrs).toBeUndefined();
  });

  test('testing opens the public endpoint to the listed CIDRs only', () => {
    const c = resourceAt(testing, 'aws_eks_cluster', 'cluster/cluster');
    expect(c.vpc_config.endpoint_public_access).toBe(true);
    expect(c.vpc_config.public_access_cidrs).toEqual(['198.51.100.0/24']);
  });

  test('the control-plane log group exists before the cluster, encrypted and retained', () => {
    const group = resourceAt(prod, 'aws_cloudwatch_log_group', 'cluster/control-plane-logs');
    expect(group.name).toBe('/aws/eks/toronto-ai-production/cluster');
    expect(group.retention_in_days).toBe(365);
    expect(cluster.depends_on).toEqual([address('aws_cloudwatch_log_group', group)]);
  });

  test('administrators get cluster-admin through access entries', () => {
    // The definition's administrators, and the CI deploy role (for the platform stack, constructs/cicd).
    const deployRole = resources(prod, 'aws_iam_role').find((r) => r.name === 'toronto-ai-production-github-deploy')!;
    expect(resources(prod, 'aws_eks_access_entry').map((e) => e.principal_arn)).toEqual([
      'arn:aws:iam::444455556666:role/platform-admins',
      `\${aws_iam_role.${deployRole.__name}.arn}`,
    ]);
    expect(resources(prod, 'aws_eks_access_policy_association')[0].policy_arn).toBe(
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
    );
  });

  test('an IAM OIDC provider is wired to the cluster issuer for IRSA', () => {
    const oidc = resources(prod, 'aws_iam_openid_connect_provider')[0];
    expect(oidc.url).toBe(`\${${address('aws_eks_cluster', cluster)}.identity[0].oidc[0].issuer}`);
    expect(oidc.client_id_list).toEqual(['sts.amazonaws.com']);
  });
});

describe('managed add-ons', () => {
  test('every add-on is pinned to the version of the cluster version', () => {
    const addons = Object.fromEntries(resources(prod, 'aws_eks_addon').map((a) => [a.addon_name, a.addon_version]));
    expect(addons).toEqual(EKS_VERSIONS['1.35']);
  });

  test('CoreDNS and the EBS CSI driver wait for every node group', () => {
    const groups = resources(prod, 'aws_eks_node_group').map((g) => address('aws_eks_node_group', g)).sort();
    for (const name of ['coredns', 'aws-ebs-csi-driver']) {
      const addon = resources(prod, 'aws_eks_addon').find((a) => a.addon_name === name)!;
      expect([...addon.depends_on].sort()).toEqual(groups);
    }
  });

  test('VPC CNI and EBS CSI get AWS permissions through Pod Identity', () => {
    const cni = resources(prod, 'aws_eks_addon').find((a) => a.addon_name === 'vpc-cni')!;
    expect(cni.pod_identity_association[0].service_account).toBe('aws-node');
    const role = resourceAt(prod, 'aws_iam_role', 'addons/vpc-cni-role/role');
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
  });
});

describe('node pools (K8S-2, HW-1, NET-3)', () => {
  const group = (pool: string) => resourceAt(prod, 'aws_eks_node_group', `pool-${pool}/node-group`);
  const template = (pool: string) => resourceAt(prod, 'aws_launch_template', `pool-${pool}/launch-template`);

  test.each([
    ['app', 'm6in.4xlarge', 4, 500],
    ['database', 'r6in.4xlarge', 3, 200],
    ['vector', 'r6in.4xlarge', 3, 200],
    ['system', 'm6in.2xlarge', 3, 200],
  ])('%s pool: %s, %i nodes, %i GiB encrypted gp3 root volume', (pool, type, nodes, gib) => {
    const g = group(pool);
    expect(g.instance_types).toEqual([type]);
    expect(g.scaling_config).toMatchObject({ min_size: nodes, desired_size: nodes });
    const ebs = template(pool).block_device_mappings[0].ebs;
    expect(ebs).toMatchObject({ volume_size: gib, volume_type: 'gp3', encrypted: 'true' });
    expect(ebs.kms_key_id).toBe(`\${${address('aws_kms_key', resourceAt(prod, 'aws_kms_key', 'key-volumes/key'))}.arn}`);
  });

  test('IMDSv2 is required with a hop limit of 1', () => {
    for (const t of resources(prod, 'aws_launch_template')) {
      expect(t.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    }
  });

  test('database and vector pools are tainted, app and system are not', () => {
    expect(group('database').taint).toEqual([{ key: 'toronto-ai.io/pool', value: 'database', effect: 'NO_SCHEDULE' }]);
    expect(group('vector').taint).toEqual([{ key: 'toronto-ai.io/pool', value: 'vector', effect: 'NO_SCHEDULE' }]);
    expect(group('app').taint).toBeUndefined();
    expect(group('app').labels).toEqual({ 'toronto-ai.io/pool': 'app' });
  });

  test('nodes have no SSH access and the node role allows SSM Session Manager', () => {
    for (const g of resources(prod, 'aws_eks_node_group')) expect(g.remote_access).toBeUndefined();
    const policies = resources(prod, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn);
    expect(policies).toContain('arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    expect(policies).not.toContain('arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'.replace('AmazonEKS_CNI_Policy', 'AdministratorAccess'));
  });

  test('node groups span the private subnets and ignore the autoscaler-owned desired size', () => {
    const g = group('app');
    expect(g.subnet_ids).toHaveLength(3);
    expect(g.lifecycle.ignore_changes).toEqual(['scaling_config[0].desired_size']);
  });

  test('development has only its single app node', () => {
    const groups = resources(dev, 'aws_eks_node_group');
    expect(groups.map((g) => g.labels['toronto-ai.io/pool'])).toEqual(['app']);
    expect(groups[0].scaling_config).toMatchObject({ min_size: 1, desired_size: 1 });
  });
});

describe('data safety (BAK-4)', () => {
  const stateful = ['aws_kms_key', 'aws_eks_cluster', 'aws_cloudwatch_log_group'];

  test.each(stateful)('every %s is protected from destroy in production and staging', (type) => {
    for (const json of [prod, cloud('staging')]) {
      const list = resources(json, type);
      expect(list.length).toBeGreaterThan(0);
      for (const r of list) expect(r.lifecycle?.prevent_destroy).toBe(true);
    }
  });

  test('development is not protected, so it can be torn down', () => {
    for (const r of resources(dev, 'aws_eks_cluster')) expect(r.lifecycle?.prevent_destroy).toBeUndefined();
  });
});

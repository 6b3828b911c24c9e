/**
 * The reviewer diff's comparison (scripts/review/compare.ts) on pairs of synthesized fixtures:
 * each change a reviewer must not miss is flagged with a stable id, and acknowledgments clear it.
 */
import { TerraformStack, Testing } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { compare, isAcknowledged, lineDiff, parseAcknowledgments, renderMarkdown, flatten, Json } from '../scripts/review/compare';
import { forcesReplacement } from '../scripts/review/force-new';
import { stacksFor } from './helpers';
import { applyPolicies, suppress } from '../constructs/policy';

/** The synthesized JSON (with construct paths) of a one-off stack named `fixture`. */
function fixture(build: (stack: TerraformStack) => void): Json {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'fixture');
  build(stack);
  return JSON.parse(JSON.stringify(stack.toTerraform()));
}

class Assets extends Construct {
  constructor(scope: Construct, id: string, status: 'Enabled' | 'Suspended' = 'Enabled') {
    super(scope, id);
    const bucket = new S3Bucket(this, 'bucket', { bucket: 'toronto-ai-assets' });
    new S3BucketVersioningA(this, 'versioning', { bucket: bucket.id, versioningConfiguration: { status } });
  }
}

function securityGroup(cidr: string) {
  return (s: TerraformStack) =>
    new SecurityGroup(s, 'admin-sg', {
      name: 'admin',
      description: 'administration',
      vpcId: 'vpc-1',
      ingress: [{ description: 'ssh', protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: [cidr] }],
    });
}

describe('review diff: compare', () => {
  test('GIVEN identical synths THEN every stack is unchanged and nothing is flagged', () => {
    const a = fixture((s) => new Assets(s, 'assets'));
    const report = compare({ fixture: a }, { fixture: a });
    expect(report.stacks.map((s) => s.status)).toEqual(['unchanged']);
    expect(report.flags).toEqual([]);
  });

  test('GIVEN a construct id renamed THEN the destroy/create pair is reported as one rename flag per resource', () => {
    const before = fixture((s) => new Assets(s, 'assets'));
    const after = fixture((s) => new Assets(s, 'static-assets'));
    const report = compare({ fixture: before }, { fixture: after });
    const stack = report.stacks[0];
    expect(stack.added).toEqual([]);
    expect(stack.removed).toEqual([]);
    expect(stack.renamed.map((r) => [r.from.path, r.to.path]).sort()).toEqual([
      ['fixture/assets/bucket', 'fixture/static-assets/bucket'],
      ['fixture/assets/versioning', 'fixture/static-assets/versioning'],
    ]);
    const renames = report.flags.filter((f) => f.kind === 'rename');
    expect(renames.map((f) => f.id).sort()).toEqual([
      expect.stringMatching(/^rename:fixture\/aws_s3_bucket\.assets_bucket_/),
      expect.stringMatching(/^rename:fixture\/aws_s3_bucket_versioning\.assets_versioning_/),
    ]);
    expect(renames[0].message).toMatch(/destroys and re-creates/);
  });

  test('GIVEN a bucket losing versioning THEN a data-safety flag shows Enabled → Suspended', () => {
    const report = compare({ fixture: fixture((s) => new Assets(s, 'assets')) }, { fixture: fixture((s) => new Assets(s, 'assets', 'Suspended')) });
    expect(report.stacks[0].changed.map((c) => c.changes)).toEqual([[{ path: 'versioning_configuration.status', before: 'Enabled', after: 'Suspended' }]]);
    expect(report.flags.map((f) => [f.kind, f.message])).toEqual([
      ['data-safety', expect.stringMatching(/versioning_configuration\.status Enabled → Suspended/)],
    ]);
  });

  test('GIVEN a security group opened to the world THEN a security flag says so', () => {
    const report = compare({ fixture: fixture(securityGroup('10.40.0.0/16')) }, { fixture: fixture(securityGroup('0.0.0.0/0')) });
    expect(report.flags.map((f) => f.kind)).toEqual(['security']);
    expect(report.flags[0].id).toMatch(/^security:fixture\/aws_security_group\.admin-sg$/);
    expect(report.flags[0].message).toMatch(/opened to the internet \(0\.0\.0\.0\/0\).*ingress\[0\]\.cidr_blocks\[0\] 10\.40\.0\.0\/16 → 0\.0\.0\.0\/0/);
  });

  test('GIVEN a node pool instance type change in staging THEN the node group replacement is flagged', () => {
    const base = stacksFor('staging').cloud;
    const head = stacksFor('staging', (d) => {
      d.nodePools.app.instanceType = 'm6in.8xlarge';
    }).cloud;
    const report = compare({ staging: JSON.parse(JSON.stringify(base.toTerraform())) }, { staging: JSON.parse(JSON.stringify(head.toTerraform())) });
    const changed = report.stacks[0].changed.find((c) => c.type === 'aws_eks_node_group')!;
    expect(changed.path).toBe('staging/pool-app/node-group');
    expect(changed.changes).toEqual([{ path: 'instance_types[0]', before: 'm6in.4xlarge', after: 'm6in.8xlarge' }]);
    const replace = report.flags.filter((f) => f.kind === 'replace');
    expect(replace.map((f) => f.id)).toEqual([expect.stringMatching(/^replace:staging\/aws_eks_node_group\.pool-app_node-group_[0-9A-F]+#instance_types$/)]);
    expect(replace[0].message).toMatch(/instance_types m6in\.4xlarge → m6in\.8xlarge forces replacement/);
  });

  test('GIVEN a protected key that changes or disappears THEN protected flags name it', () => {
    const key = (description: string, protect = true) => (s: TerraformStack) => {
      const k = new KmsKey(s, 'key', { description, enableKeyRotation: true });
      if (protect) k.lifecycle = { preventDestroy: true };
    };
    const changed = compare({ fixture: fixture(key('a')) }, { fixture: fixture(key('b')) });
    expect(changed.flags.map((f) => f.kind)).toEqual(['protected']);
    const unprotected = compare({ fixture: fixture(key('a')) }, { fixture: fixture(key('a', false)) });
    expect(unprotected.flags.map((f) => f.message)).toEqual([expect.stringMatching(/loses prevent_destroy/)]);
    const removed = compare({ fixture: fixture(key('a')) }, { fixture: fixture(() => undefined) });
    expect(removed.flags.map((f) => [f.kind, f.id])).toEqual([['protected', 'protected:fixture/aws_kms_key.key']]);
  });

  test('GIVEN a cidr_block change of a subnet THEN the force-new table marks it as a replacement', () => {
    expect(forcesReplacement('aws_subnet', 'cidr_block')).toBe(true);
    expect(forcesReplacement('aws_eks_cluster', 'vpc_config.subnet_ids')).toBe(true);
    expect(forcesReplacement('aws_eks_cluster', 'version')).toBe(false);
    expect(forcesReplacement('aws_s3_bucket', 'bucket')).toBe(true);
  });

  test('GIVEN a new policy suppression THEN a suppression flag quotes its rule and reason; an unchanged one is not flagged', () => {
    const sg = (suppressed: boolean) => (s: TerraformStack) => {
      const group = new SecurityGroup(s, 'lb-sg', { name: 'lb', vpcId: 'vpc-1', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] }] });
      if (suppressed) suppress(group, 'TAI-NET-1', 'the NLB created by the in-cluster controller uses this group');
      applyPolicies(s);
      Testing.synth(s); // runs the policy aspect, which records the suppression under `//`
    };
    const before = fixture(sg(false));
    const after = fixture(sg(true));
    expect(after.resource.aws_security_group['lb-sg']['//'].policy_suppressions).toEqual([
      { rule: 'TAI-NET-1', reason: 'the NLB created by the in-cluster controller uses this group' },
    ]);
    const report = compare({ fixture: before }, { fixture: after });
    expect(report.flags.map((f) => [f.kind, f.id, f.message])).toEqual([
      ['suppression', 'suppression:fixture/aws_security_group.lb-sg#TAI-NET-1', expect.stringContaining('suppresses policy rule TAI-NET-1: "the NLB created')],
    ]);
    expect(compare({ fixture: after }, { fixture: after }).flags).toEqual([]);
  });

  test('GIVEN a construct id renamed WITH a moved block THEN it is a move in state: no rename flag, no destroy', () => {
    const before = fixture((s) => new Assets(s, 'assets'));
    const after = fixture((s) => {
      const assets = new Assets(s, 'static-assets');
      for (const child of assets.node.children) {
        const r = child as S3Bucket | S3BucketVersioningA;
        // The old construct ids' addresses, as the base synthesized them.
        r.moveFromId(`${r.terraformResourceType}.${Object.keys(before.resource[r.terraformResourceType])[0]}`);
      }
    });
    expect(after.moved).toHaveLength(2);
    const report = compare({ fixture: before }, { fixture: after });
    const stack = report.stacks[0];
    expect([stack.added, stack.removed, stack.renamed, stack.changed]).toEqual([[], [], [], []]);
    expect(stack.moved.map((m) => [m.from.split('.')[0], m.path, m.changes])).toEqual([
      ['aws_s3_bucket', 'fixture/static-assets/bucket', []],
      // Its reference names the bucket's new address, which is the same object after the move.
      ['aws_s3_bucket_versioning', 'fixture/static-assets/versioning', []],
    ]);
    expect(stack.status).toBe('changed');
    expect(report.flags).toEqual([]);
    const md = renderMarkdown(report, { baseLabel: 'main', headLabel: 'pr', acknowledged: [] });
    expect(md).toContain('| fixture | changed | 0 | 0 | 0 | 0 | 2 | 0 | 0 |');
    expect(md).toMatch(/🚚 moved `aws_s3_bucket\.assets_bucket_[0-9A-F]+` → `aws_s3_bucket\.static-assets_bucket_[0-9A-F]+` \(`fixture\/static-assets\/bucket`\): no other change/);
  });

  test('GIVEN a moved resource that also changes THEN its changes are flagged as for any change', () => {
    const before = fixture((s) => new Assets(s, 'assets'));
    const after = fixture((s) => {
      const assets = new Assets(s, 'static-assets', 'Suspended');
      const v = assets.node.findChild('versioning') as S3BucketVersioningA;
      v.moveFromId(`aws_s3_bucket_versioning.${Object.keys(before.resource.aws_s3_bucket_versioning)[0]}`);
    });
    const report = compare({ fixture: before }, { fixture: after });
    expect(report.stacks[0].moved).toHaveLength(1);
    // The bucket (no moved block) is still a destroy/create: a rename flag.
    expect(report.flags.map((f) => f.kind).sort()).toEqual(['data-safety', 'rename']);
    expect(report.flags.find((f) => f.kind === 'data-safety')!.message).toMatch(/versioning_configuration\.status Enabled → Suspended/);
  });

  test('GIVEN a moved block whose source is still declared, or whose target is missing THEN a moved flag says Terraform rejects it', () => {
    const before = fixture((s) => new Assets(s, 'assets'));
    const bucket = `aws_s3_bucket.${Object.keys(before.resource.aws_s3_bucket)[0]}`;
    const still = JSON.parse(JSON.stringify(before));
    still.moved = [{ from: bucket, to: 'aws_s3_bucket.other' }];
    expect(compare({ fixture: before }, { fixture: still }).flags.map((f) => [f.kind, f.id, f.message])).toEqual([
      ['moved', `moved:fixture/${bucket}`, expect.stringContaining('is still declared: Terraform rejects the plan')],
    ]);
    const gone = JSON.parse(JSON.stringify(before));
    delete gone.resource.aws_s3_bucket;
    gone.moved = [{ from: bucket, to: 'aws_s3_bucket.other' }];
    // The bucket is destroyed (data-safety) and the block names no declared target (moved).
    expect(compare({ fixture: before }, { fixture: gone }).flags.map((f) => f.kind).sort()).toEqual(['data-safety', 'moved']);
  });

  test('GIVEN a resource adopted by an import block THEN it is listed as imported, not added', () => {
    const before = fixture(() => undefined);
    const after = fixture((s) => {
      const key = new KmsKey(s, 'key', { description: 'adopted', enableKeyRotation: true });
      key.importFrom('1234abcd-12ab-34cd-56ef-1234567890ab');
    });
    const report = compare({ fixture: before }, { fixture: after });
    expect(report.stacks[0].added).toEqual([]);
    expect(report.stacks[0].imported.map((r) => r.address)).toEqual(['aws_kms_key.key']);
    expect(renderMarkdown(report, { baseLabel: 'a', headLabel: 'b', acknowledged: [] })).toContain('📥 imported `aws_kms_key.key`');
  });

  test('JSON documents in attributes diff field by field', () => {
    const flat = flatten({ policy: JSON.stringify({ Statement: [{ Action: 's3:GetObject' }] }) });
    expect([...flat.entries()]).toEqual([['policy(json).Statement[0].Action', 's3:GetObject']]);
  });
});

describe('review diff: acknowledgments and Markdown', () => {
  const report = compare({ fixture: fixture(securityGroup('10.40.0.0/16')) }, { fixture: fixture(securityGroup('0.0.0.0/0')) });

  test('a flag is acknowledged by its exact id or by a prefix ending in *', () => {
    const flag = report.flags[0];
    expect(isAcknowledged(flag, [])).toBe(false);
    expect(isAcknowledged(flag, [flag.id])).toBe(true);
    expect(isAcknowledged(flag, ['security:fixture/*'])).toBe(true);
    expect(isAcknowledged(flag, ['security:other/*'])).toBe(false);
  });

  test('the ACKNOWLEDGED_CHANGES file holds one id per line with a reason; comments are ignored', () => {
    expect(parseAcknowledgments('# reviewed in PR 12\nsecurity:fixture/aws_security_group.admin-sg  bastion replaced by SSM\n\nrename:x/*\n')).toEqual([
      'security:fixture/aws_security_group.admin-sg',
      'rename:x/*',
    ]);
  });

  test('GIVEN a script changed deep inside THEN the Markdown shows its changed lines, not two cut-off beginnings', () => {
    const script = (keep: number) => ['set -eu', 'ns=data', ...Array.from({ length: 30 }, (_, i) => `echo step ${i}`), `keep=${keep}`, 'done'].join('\n');
    const build = (keep: number) => {
      const app = Testing.app();
      const stack = new TerraformStack(app, 'fixture');
      new S3Bucket(stack, 'scripts', { bucket: 'scripts', tags: { script: script(keep), short: String(keep) } });
      return { fixture: JSON.parse(Testing.synth(stack)) as Json };
    };
    const md = renderMarkdown(compare(build(4), build(6)), { baseLabel: 'main', headLabel: 'pr', acknowledged: [] });
    const lines = md.split('\n');
    const at = lines.indexOf('  - `tags.script`: text changed (lines removed -, added +):');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 5)).toEqual(['    ```diff', '    - keep=4', '    + keep=6', '    ```']);
    // A short value keeps the one-line form the reviewer's tools read.
    expect(md).toContain('  - `tags.short`: 4 → 6');
    expect(md).not.toContain('set -eu\nns=data');
  });

  test('the line diff keeps unchanged lines out and caps what it shows', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd')).toEqual(['- b', '+ B', '+ d']);
    const many = lineDiff(Array.from({ length: 100 }, (_, i) => `x${i}`).join('\n'), '');
    expect(many).toHaveLength(41);
    expect(many[40]).toBe('... and 61 more changed lines');
  });

  test('the Markdown lists flags, marks acknowledged ones and names cdktf diff as the authoritative plan', () => {
    const pending = renderMarkdown(report, { baseLabel: 'main', headLabel: 'pr', acknowledged: [] });
    expect(pending).toContain('| fixture | changed | 0 | 0 | 1 | 0 | 0 | 0 | 1 |');
    expect(pending).toContain('⚠️ **security** `security:fixture/aws_security_group.admin-sg`');
    expect(pending).toContain('`ingress[0].cidr_blocks[0]`: 10.40.0.0/16 → 0.0.0.0/0');
    expect(pending).toContain('`cdktf diff <stack>`');
    const acked = renderMarkdown(report, { baseLabel: 'main', headLabel: 'pr', acknowledged: ['security:fixture/*'] });
    expect(acked).toContain('Flags (0 unacknowledged of 1)');
    expect(acked).toContain('_(acknowledged)_');
  });
});

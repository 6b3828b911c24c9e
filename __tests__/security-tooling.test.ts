/**
 * SEC-2 (Falco, ClamAV) and SEC-3 cloud-side signals (GuardDuty, encrypted and retained log
 * groups), on synthesized stacks.
 */
import { Testing, TerraformStack } from 'cdktf';
import { Clamav } from '../constructs/security/clamav';
import { unescapeTemplate } from '../constructs/observability/terraform-escape';
import { Json, resources, shipped } from './helpers';

const platform = (name: string): Json => shipped(name).platform;
const cloud = (name: string): Json => shipped(name).cloud;

describe('Falco (host intrusion detection)', () => {
  const json = platform('production');
  const falco = resources(json, 'helm_release').find((r) => r.name === 'falco')!;
  const values = JSON.parse(falco.values[0]);

  test('is the pinned chart in the security namespace', () => {
    expect(falco.version).toBe('9.1.0');
    expect(falco.namespace).toContain('namespaces_security');
  });

  test('uses the modern eBPF driver with capabilities instead of a privileged container', () => {
    expect(values.driver).toEqual({ enabled: true, kind: 'modern_ebpf', modernEbpf: { leastPrivileged: true } });
  });

  test('runs on every node, tainted pools included', () => {
    expect(values.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(values.resources.limits).toBeDefined();
  });

  test('falcosidekick forwards events to the monitoring Alertmanager', () => {
    expect(values.falcosidekick.enabled).toBe(true);
    expect(values.falcosidekick.config.alertmanager).toMatchObject({
      hostport: expect.stringMatching(/^http:\/\/kube-prometheus-stack-alertmanager\..*:9093$/),
      endpoint: '/api/v2/alerts',
      minimumpriority: 'warning',
    });
    expect(values.falcosidekick.nodeSelector).toEqual({ 'toronto-ai.io/pool': 'system' });
    expect(falco.depends_on.join(' ')).toContain('kube-prometheus-stack');
  });
});

describe('ClamAV (malware scanning)', () => {
  const json = platform('production');
  const ds = resources(json, 'kubernetes_daemon_set_v1').find((d) => d.metadata.name === 'clamav')!;
  const spec = ds.spec.template.spec;
  const container = (name: string) => spec.container.find((c: Json) => c.name === name);

  test('runs on every node with a pinned image', () => {
    expect(spec.toleration).toEqual([{ operator: 'Exists' }]);
    for (const c of spec.container) expect(c.image).toBe('clamav/clamav:1.4.3');
  });

  test('mounts the node file system read-only into the scanner only', () => {
    expect(spec.volume.find((v: Json) => v.name === 'host').host_path.path).toBe('/');
    expect(container('scanner').volume_mount.find((m: Json) => m.name === 'host')).toMatchObject({ mount_path: '/host', read_only: true });
    expect(container('freshclam').volume_mount.map((m: Json) => m.name)).not.toContain('host');
  });

  test('the scanner is not privileged: root with only CAP_DAC_READ_SEARCH, read-only root fs', () => {
    expect(container('scanner').security_context).toMatchObject({
      privileged: false,
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] },
    });
  });

  test('freshclam updates signatures as a non-root user with requests, limits and probes', () => {
    const c = container('freshclam');
    expect(c.security_context).toMatchObject({ run_as_non_root: true, run_as_user: '100' });
    expect(c.resources.limits).toBeDefined();
    expect(c.readiness_probe.exec.command.join(' ')).toContain('daily.c[lv]d');
    const config = resources(json, 'kubernetes_config_map_v1').find((m) => m.metadata.name === 'clamav-config')!;
    expect(config.data['freshclam.conf']).toContain('Checks 12');
  });

  test('scans every 24 hours, skipping pseudo file systems, and reports to stdout', () => {
    const config = resources(json, 'kubernetes_config_map_v1').find((m) => m.metadata.name === 'clamav-config')!;
    const script = unescapeTemplate(config.data['scan.sh']);
    expect(script).toContain('interval=$((24 * 3600))');
    expect(script).toMatch(/clamscan --recursive --cross-fs=no --infected --stdout --database=\/var\/lib\/clamav .*--exclude-dir='\^\/host\/proc\/'.* \/host/);
    // Issue 15: no pod volume, mounted secret, CSI global mount (database volumes) or kubelet key is read.
    const excluded = [...script.matchAll(/--exclude-dir='\^([^']+)'/g)].map((m) => new RegExp(`^${m[1]}`));
    for (const path of [
      '/host/var/lib/kubelet/pods/0d1e/volumes/kubernetes.io~secret/token/token',
      '/host/var/lib/kubelet/plugins/kubernetes.io/csi/ebs.csi.aws.com/4f2a/globalmount/pgdata/base/1',
      '/host/var/lib/kubelet/pki/kubelet-client-current.pem',
      '/host/proc/1/environ',
    ]) {
      expect([path, excluded.some((re) => re.test(path))]).toEqual([path, true]);
    }
    for (const path of ['/host/usr/bin/curl', '/host/var/lib/containerd/io.containerd.content.v1.content/blobs/sha256/ab', '/host/etc/passwd', '/host/home/ec2-user/x']) {
      expect([path, excluded.some((re) => re.test(path))]).toEqual([path, false]);
    }
    expect(script).toContain('result=$result');
    expect(config.data['scan.sh']).toContain('$${NODE_NAME}');
  });

  test('an infected scan raises a critical MalwareDetected alert in Alertmanager', () => {
    const config = resources(json, 'kubernetes_config_map_v1').find((m) => m.metadata.name === 'clamav-config')!;
    const script = unescapeTemplate(config.data['scan.sh']);
    expect(script).toContain('1) result=infected; notify ;;');
    expect(script).toContain('"alertname":"MalwareDetected","severity":"critical"');
    expect(script).toContain('"${ALERTMANAGER_URL}/api/v2/alerts"');
    const env = container('scanner').env;
    expect(env.find((e: Json) => e.name === 'ALERTMANAGER_URL').value).toMatch(/^http:\/\/kube-prometheus-stack-alertmanager\..*:9093$/);
    expect(env.find((e: Json) => e.name === 'RUNBOOK_URL').value).toMatch(/#alert-decision-matrix$/);
  });

  test.each([['latest'], ['stable'], ['']])('refuses the unpinned image tag %p', (tag) => {
    const stack = new TerraformStack(Testing.app(), 'test');
    expect(() => new Clamav(stack, 'clamav', {
          namespace: 'security',
          imageTag: tag,
          scanIntervalHours: 24,
          signatureChecksPerDay: 4,
          alertmanagerUrl: 'http://am:9093',
          environment: 'test',
          runbookUrl: 'https://x/README.md#alert-decision-matrix',
        }),
    ).toThrow(
      `test/clamav: 'imageTag' must be a pinned clamav/clamav version. Got: ${tag}`,
    );
  });

  test('the security namespace is privileged and says why', () => {
    const ns = resources(json, 'kubernetes_namespace_v1').find((n) => n.metadata.name === 'security')!;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.annotations['toronto-ai.io/pod-security-reason']).toMatch(/intrusion detection/);
  });
});

describe('cloud-side signals (SEC-3)', () => {
  test('production has a protected GuardDuty detector with EKS audit-log and runtime monitoring', () => {
    const json = cloud('production');
    const [detector] = resources(json, 'aws_guardduty_detector');
    expect(detector.enable).toBe(true);
    expect(detector.lifecycle.prevent_destroy).toBe(true);
    const features = resources(json, 'aws_guardduty_detector_feature');
    expect(features.map((f) => f.name).sort()).toEqual(['EBS_MALWARE_PROTECTION', 'EKS_AUDIT_LOGS', 'RUNTIME_MONITORING']);
    for (const f of features) {
      expect(f.status).toBe('ENABLED');
      expect(f.detector_id).toBe(`\${aws_guardduty_detector.${detector.__name}.id}`);
    }
    const runtime = features.find((f) => f.name === 'RUNTIME_MONITORING')!;
    expect(runtime.additional_configuration).toEqual([{ name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' }]);
  });

  test('the definition flag turns GuardDuty off (development)', () => {
    expect(resources(cloud('development'), 'aws_guardduty_detector')).toEqual([]);
  });

  test.each([['development'], ['production']])('every CloudWatch log group of %s is KMS-encrypted and retained', (env) => {
    const groups = resources(cloud(env), 'aws_cloudwatch_log_group');
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) {
      expect(g.kms_key_id).toMatch(/aws_kms_key/);
      expect(g.retention_in_days).toBeGreaterThan(0);
    }
  });
});

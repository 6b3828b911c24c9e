import { Construct } from 'constructs';
import { DaemonSetV1 } from '../kubernetes/workloads';
import { NodePlacement } from './placement';
import { suppress } from '../policy/suppress';

/** The NVIDIA device plugin release the GPU pools run (NVIDIA's static manifest, nvidia-device-plugin.yml). */
export const NVIDIA_DEVICE_PLUGIN_IMAGE = 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1';

export interface NvidiaDevicePluginProps {
  /** The GPU pool's placement: the plugin runs on those nodes only. */
  readonly placement: NodePlacement;
}

/**
 * Advertises the NVIDIA GPUs of a GPU node pool to the kubelet as `nvidia.com/gpu` (the EKS
 * accelerated AL2023 AMI carries the driver and container toolkit, not the device plugin). Without
 * it no pod can request a GPU. In `kube-system` (EKS-managed system namespace), on the GPU pool only.
 */
export class NvidiaDevicePlugin extends Construct {
  readonly daemonSet: DaemonSetV1;

  constructor(scope: Construct, id: string, props: NvidiaDevicePluginProps) {
    super(scope, id);
    const labels = { 'app.kubernetes.io/name': 'nvidia-device-plugin' };
    this.daemonSet = new DaemonSetV1(this, 'daemon-set', {
      metadata: { name: 'nvidia-device-plugin', namespace: 'kube-system', labels },
      spec: {
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: 'system-node-critical',
            nodeSelector: props.placement.nodeSelector,
            toleration: [...props.placement.tolerations.map((t) => ({ ...t })), { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
            automountServiceAccountToken: false,
            container: [
              {
                name: 'nvidia-device-plugin',
                image: NVIDIA_DEVICE_PLUGIN_IMAGE,
                env: [{ name: 'FAIL_ON_INIT_ERROR', value: 'false' }],
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' } },
                volumeMount: [{ name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' }],
              },
            ],
            volume: [{ name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } }],
          },
        },
      },
    });
    suppress(this.daemonSet, 'TAI-K8S-1', 'the device plugin registers with the kubelet through a root-owned socket in /var/lib/kubelet/device-plugins (NVIDIA runs it as root, without privilege escalation or capabilities)');
    suppress(this.daemonSet, 'TAI-K8S-3', 'the device plugin serves no traffic; the kubelet re-registers it when its socket disappears (NVIDIA ships it without probes)');
  }
}

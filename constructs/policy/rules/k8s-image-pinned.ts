import { NOT_APPLICABLE, PolicyRule, fromProblems } from '../types';
import { isReference } from '../util';
import { WORKLOAD_TYPES, containersOf, podSpecOf } from './k8s-common';

/** The problem with an image reference, or undefined when it is pinned. */
export function imageProblem(image: unknown): string | undefined {
  if (typeof image !== 'string' || image === '') return 'no image';
  if (isReference(image)) return undefined;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.split('/').pop() ?? image;
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return `image ${image} has no tag (means :latest)`;
  const tag = lastSegment.slice(colon + 1);
  if (tag === 'latest' || tag === '') return `image ${image} uses the moving tag :latest`;
  return undefined;
}

/** TAI-K8S-4: pinned images. */
export const k8sImagePinned: PolicyRule = {
  id: 'TAI-K8S-4',
  title: 'Container images are pinned to a tag other than latest, or a digest',
  explanation:
    'Every container image names an explicit version tag (never :latest, never untagged) or a ' +
    'sha256 digest, so what runs is what was reviewed; the tag comes from the environment ' +
    'definition so an upgrade is a one-line, reviewable change.',
  references: { checkov: ['CKV_K8S_14', 'CKV_K8S_43'], cdkNag: [] },
  resourceTypes: WORKLOAD_TYPES,
  check(resource) {
    const containers = containersOf(podSpecOf(resource));
    if (containers.length === 0) return NOT_APPLICABLE;
    return fromProblems(
      containers.flatMap((c) => {
        const p = imageProblem(c.config.image);
        return p ? [`container ${c.name}: ${p}`] : [];
      }),
    );
  },
};

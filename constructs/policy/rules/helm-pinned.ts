import { PolicyRule, fromProblems } from '../types';
import { asList } from '../util';
import { imageProblem } from './k8s-image-pinned';

/** `image` blocks of Helm values whose tag is `latest` (or a full image reference that is unpinned). */
export function unpinnedImagesInValues(value: unknown, path = '', out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => unpinnedImagesInValues(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const at = path ? `${path}.${k}` : k;
      if (/^image$/i.test(k) && v && typeof v === 'object' && !Array.isArray(v)) {
        const tag = (v as Record<string, unknown>).tag;
        if (typeof tag === 'string' && (tag === 'latest' || tag.endsWith(':latest'))) out.push(`${at}.tag is latest`);
      } else if (/^image$/i.test(k) && typeof v === 'string' && v.includes('/')) {
        const p = imageProblem(v);
        if (p) out.push(`${at}: ${p}`);
      }
      unpinnedImagesInValues(v, at, out);
    }
  }
  return out;
}

function imagesOf(values: unknown): string[] {
  return asList<string>(values).flatMap((v, i) => {
    try {
      return unpinnedImagesInValues(JSON.parse(String(v)), `values[${i}]`);
    } catch {
      return [];
    }
  });
}

/** TAI-HELM-1: exact chart versions from trusted transports. */
export const helmPinned: PolicyRule = {
  id: 'TAI-HELM-1',
  title: 'Helm releases pin an exact chart version from an https or oci repository',
  explanation:
    'helm_release sets version to an exact semantic version (no range, no empty = newest) and ' +
    'repository to an https:// or oci:// location; a chart of this repository given by local path ' +
    'needs no repository. Image overrides in the values never use the tag latest. Upgrades are then a ' +
    'one-line, reviewable change in constructs/helm/charts.ts.',
  references: { checkov: [], cdkNag: [] },
  resourceTypes: ['helm_release'],
  check(release) {
    const c = release.config;
    const chart = String(c.chart ?? '');
    const local = !c.repository && (chart.startsWith('./') || chart.startsWith('../') || chart.startsWith('/'));
    if (local) return fromProblems(imagesOf(c.values));
    const problems: string[] = [];
    if (!/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(String(c.version ?? ''))) problems.push(`version ${c.version ?? '(unset: newest)'} is not an exact version`);
    if (!/^(https|oci):\/\//.test(String(c.repository ?? ''))) problems.push(`repository ${c.repository ?? '(unset)'} is not https:// or oci://`);
    return fromProblems([...problems, ...imagesOf(c.values)]);
  },
};

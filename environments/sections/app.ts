/**
 * The `app` section of an environment definition: the application deployment (APP-1), its
 * blue-green colours (APP-2), autoscaling (K8S-3), the beta channel (ENV-4) and its scheduled
 * jobs (APP-3).
 *
 * A colour switch or a rollback is the one-line change of `activeColour`.
 */
import { z } from 'zod';
import { Tier } from '../catalog';

export const COLOURS = ['blue', 'green'] as const;
export type Colour = (typeof COLOURS)[number];

/** A pinned image tag: never empty (which means `latest`), never `latest`. */
export const imageTag = z.string().superRefine((tag, ctx) => {
  const add = (message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  if (tag.trim() === '') {
    add('must name a pinned image tag such as v1.0.0; an empty tag pulls "latest"');
  } else if (tag === 'latest') {
    add('must be a pinned version such as v1.0.0, not "latest": a moving tag makes a rollback unreviewable');
  } else if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    add(`${tag} is not a valid image tag (letters, digits, _ . -; at most 128 characters)`);
  }
});

/** Kubernetes CPU quantity: `250m`, `1`, `1.5`. */
const cpu = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, 'must be a CPU quantity such as 250m or 2');
/** Kubernetes memory quantity in binary units: `512Mi`, `2Gi`. */
const memory = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity such as 512Mi or 2Gi');

/** Millicores of a CPU quantity. */
export function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}

/** Bytes of a memory quantity. */
export function memoryBytes(q: string): number {
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(q.slice(0, -2)) * units[q.slice(-2)];
}

const resourcesSchema = z
  .object({
    requests: z.object({ cpu, memory }).strict(),
    limits: z.object({ cpu, memory }).strict(),
  })
  .strict();

const percent = z.number().int().min(1).max(100);

/** Names a ConfigMap key may not use: secrets come from Vault (SEC-1, DATA-5). */
const SECRET_LIKE = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL)/;

/** A five-field cron schedule. */
const cronSchedule = z
  .string()
  .regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron schedule such as "0 9 * * 1"');

export const appSchema = z
  .object({
    image: z
      .object({
        /** Registry and repository, without a tag: `docker.io/torontoai/team-agent`. */
        repository: z
          .string()
          .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/, 'must be an image repository such as docker.io/torontoai/team-agent (no tag)'),
      })
      .strict(),
    /** Image tag each colour runs. The standby colour carries the next (or previous) release. */
    colours: z.object({ blue: z.object({ imageTag }).strict(), green: z.object({ imageTag }).strict() }).strict(),
    /** APP-2: the colour the Service routes to and the HPA scales. */
    activeColour: z.enum(COLOURS, {
      errorMap: () => ({ message: `must be one of ${COLOURS.join(', ')} (APP-2)` }),
    }),
    /** Replicas each colour's Deployment starts with; the HPA scales the active colour afterwards. */
    replicas: z.number().int().min(1),
    resources: resourcesSchema,
    /** K8S-3 (seed 004): min 2, max 20, CPU 70 %, memory 80 %. */
    hpa: z
      .object({
        minReplicas: z.number().int().min(1),
        maxReplicas: z.number().int().min(1),
        cpuUtilization: percent,
        memoryUtilization: percent,
      })
      .strict(),
    /** Non-secret settings, rendered into the ConfigMap and the pods' environment. */
    config: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an upper-case environment variable name'), z.string()),
    /** ENV-4: production's beta channel in `toronto-ai-beta`, with its own deployment. */
    beta: z
      .object({
        enabled: z.boolean(),
        /** Image tag of the beta deployment; required when enabled. */
        imageTag: imageTag.optional(),
        replicas: z.number().int().min(1).default(2),
        /** APP-3: when the feedback-reminder job runs (cluster time zone, UTC). */
        feedbackReminderSchedule: cronSchedule.default('0 9 * * 1'),
      })
      .strict(),
  })
  .strict()
  .superRefine((app, ctx) => {
    const at = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    const { minReplicas, maxReplicas } = app.hpa;
    if (minReplicas > maxReplicas) {
      at(['hpa', 'minReplicas'], `must be <= hpa.maxReplicas; got minReplicas ${minReplicas} > maxReplicas ${maxReplicas}`);
    }
    if (app.replicas > maxReplicas) {
      at(['replicas'], `${app.replicas} is above hpa.maxReplicas (${maxReplicas})`);
    }
    const { requests, limits } = app.resources;
    if (cpuMillis(limits.cpu) < cpuMillis(requests.cpu)) {
      at(['resources', 'limits', 'cpu'], `${limits.cpu} is below the request of ${requests.cpu}; limits must be >= requests`);
    }
    if (memoryBytes(limits.memory) < memoryBytes(requests.memory)) {
      at(['resources', 'limits', 'memory'], `${limits.memory} is below the request of ${requests.memory}; limits must be >= requests`);
    }
    for (const key of Object.keys(app.config)) {
      if (SECRET_LIKE.test(key)) {
        at(['config', key], `${key} looks like a secret; secrets come from Vault, never from the ConfigMap (DATA-5)`);
      }
    }
    if (app.beta.enabled && app.beta.imageTag === undefined) {
      at(['beta', 'imageTag'], 'the beta channel is enabled and needs its own pinned image tag');
    }
  });

export type AppSection = z.output<typeof appSchema>;
export type AppSectionInput = z.input<typeof appSchema>;

/** Rules of the app section that depend on the tier or on the edge section. */
export function checkApp(
  tier: Tier,
  app: AppSection,
  edge: { readonly betaName?: string } | undefined,
  issue: (path: (string | number)[], message: string) => void,
): void {
  if (tier === 'production' && !app.beta.enabled) {
    issue(['app', 'beta', 'enabled'], 'production hosts the beta release channel (ENV-4): set true');
  }
  if (tier !== 'production' && app.beta.enabled) {
    issue(['app', 'beta', 'enabled'], `only production hosts the beta release channel (ENV-4); ${tier} must set false`);
  }
  if (app.beta.enabled && edge !== undefined && edge.betaName === undefined) {
    issue(['edge', 'betaName'], 'app.beta.enabled is true: the beta channel needs a public name');
  }
}

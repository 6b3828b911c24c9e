/**
 * The `app` section of an environment definition: the application deployment (APP-1), its
 * blue-green colours (APP-2), autoscaling (K8S-3), the beta channel (ENV-4) and its scheduled
 * jobs (APP-3).
 *
 * A colour switch or a rollback is the one-line change of `activeColour`.
 */
import { z } from 'zod/v4';
import { Tier } from '../catalog';
import { cronSchema } from '../cron';
import { cpuMillis, cpuQuantity, memoryBytes, memoryQuantity } from '../quantity';

export const COLOURS = ['blue', 'green'] as const;

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

/** Kubernetes quantities (environments/quantity.ts). */
const cpu = cpuQuantity;
const memory = memoryQuantity;

const resourcesSchema = z
  .object({
    requests: z.object({ cpu, memory }).strict(),
    limits: z.object({ cpu, memory }).strict(),
  })
  .strict();

const percent = z.number().int().min(1).max(100);

/** Names a ConfigMap key may not use: secrets come from Vault (SEC-1, DATA-5). */
const SECRET_LIKE = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL)/;

/** A five-field cron schedule (Kubernetes CronJob), every field checked (environments/cron.ts). */
const cronSchedule = cronSchema({ seconds: false, macros: false }, '0 9 * * 1');

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
      error: () => `must be one of ${COLOURS.join(', ')} (APP-2)`,
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
  .strict();

export type AppSection = z.output<typeof appSchema>;

type Report = (path: (string | number)[], message: string) => void;

/** Rules across the app section's own fields. `report` takes paths from the definition's root. */
export function checkAppScaling(app: AppSection, report: Report): void {
  const { minReplicas, maxReplicas } = app.hpa;
  if (minReplicas > maxReplicas) {
    report(['app', 'hpa', 'minReplicas'], `must be <= hpa.maxReplicas; got minReplicas ${minReplicas} > maxReplicas ${maxReplicas}`);
  }
  if (app.replicas > maxReplicas) {
    report(['app', 'replicas'], `${app.replicas} is above hpa.maxReplicas (${maxReplicas})`);
  }
}

/** Limits are never below requests (Kubernetes refuses the pod). */
export function checkAppResources(app: AppSection, report: Report): void {
  const { requests, limits } = app.resources;
  if (cpuMillis(limits.cpu) < cpuMillis(requests.cpu)) {
    report(['app', 'resources', 'limits', 'cpu'], `${limits.cpu} is below the request of ${requests.cpu}; limits must be >= requests`);
  }
  if (memoryBytes(limits.memory) < memoryBytes(requests.memory)) {
    report(['app', 'resources', 'limits', 'memory'], `${limits.memory} is below the request of ${requests.memory}; limits must be >= requests`);
  }
}

/** Non-secret settings only (DATA-5). */
export function checkAppConfig(app: AppSection, report: Report): void {
  for (const key of Object.keys(app.config)) {
    if (SECRET_LIKE.test(key)) {
      report(['app', 'config', key], `${key} looks like a secret; secrets come from Vault, never from the ConfigMap (DATA-5)`);
    }
  }
}

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
  if (app.beta.enabled && app.beta.imageTag === undefined) {
    issue(['app', 'beta', 'imageTag'], 'the beta channel is enabled and needs its own pinned image tag');
  }
  if (app.beta.enabled && edge !== undefined && edge.betaName === undefined) {
    issue(['edge', 'betaName'], 'app.beta.enabled is true: the beta channel needs a public name');
  }
}

/**
 * Kubernetes resource quantities as a definition writes them, and their numeric values.
 * CPU: `250m`, `1`, `1.5` (no precision finer than 1m, never 0). Memory: binary units `512Mi`,
 * `2Gi` (never 0).
 */
import { z } from 'zod/v4';

/** Millicores of a CPU quantity (`250m`, `1`, `1.5`). */
export function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}

const MEMORY_UNITS: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Bytes of a memory quantity (`512Mi`, `2Gi`). */
export function memoryBytes(q: string): number {
  return Number(q.slice(0, -2)) * MEMORY_UNITS[q.slice(-2)];
}

/** MiB of a memory quantity. */
export function memoryMiB(q: string): number {
  return memoryBytes(q) / 2 ** 20;
}

function quantity(pattern: RegExp, format: string, positive: (q: string) => boolean, zero: string) {
  return z.string().superRefine((q, ctx) => {
    if (!pattern.test(q)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: format });
    else if (!positive(q)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: zero });
  });
}

/** A CPU quantity Kubernetes accepts and that requests something. */
export const cpuQuantity = quantity(
  /^(\d+m|\d+(\.\d{1,3})?)$/,
  'must be a CPU quantity such as 250m or 2 (no precision finer than 1m)',
  (q) => cpuMillis(q) > 0,
  'must be more than 0 CPU',
);

/** A memory quantity in binary units that requests something. */
export const memoryQuantity = quantity(
  /^\d+(Ki|Mi|Gi|Ti)$/,
  'must be a memory quantity such as 512Mi or 2Gi',
  (q) => memoryBytes(q) > 0,
  'must be more than 0 bytes',
);

/** Prints millicores as Kubernetes would (`1500m` -> `1.5`). */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000}` : `${(millis / 1000).toFixed(3).replace(/0+$/, '')}`;
}

/** Prints MiB as GiB with one decimal (`1536` -> `1.5 GiB`). */
export function formatGiB(mib: number): string {
  return `${(mib / 1024).toFixed(1)} GiB`;
}

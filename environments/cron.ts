/**
 * Cron schedules as the consumers of a definition parse them: Kubernetes CronJobs (robfig/cron v3
 * standard parser: five fields, names for months and weekdays, `@hourly`-style macros), Velero
 * schedules (the same parser) and CloudNativePG ScheduledBackups (six fields, seconds first).
 *
 * `cronProblem` returns why an expression would be refused at apply time (or never fire), or
 * undefined when it is valid. Every field is checked: its range, lists, ranges, steps and names.
 */
import { z } from 'zod';

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const MINUTE: Field = { name: 'minute', min: 0, max: 59 };
const HOUR: Field = { name: 'hour', min: 0, max: 23 };
const DAY: Field = { name: 'day of month', min: 1, max: 31 };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: MONTHS };
/** 0 and 7 are both Sunday (Kubernetes and cron accept 7). */
const WEEKDAY: Field = { name: 'day of week', min: 0, max: 7, names: WEEKDAYS };

/** The macros the robfig/cron standard parser accepts (Kubernetes CronJob, Velero). */
export const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

export interface CronFlavour {
  /** Six fields with seconds first (CloudNativePG), instead of five. */
  readonly seconds: boolean;
  /** Whether `@hourly`-style macros are accepted. */
  readonly macros: boolean;
}

function value(token: string, field: Field): number | string {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n < field.min || n > field.max ? `${token} is outside ${field.min}-${field.max}` : n;
  }
  const i = field.names?.indexOf(token.toLowerCase()) ?? -1;
  if (i >= 0) return field === MONTH ? i + 1 : i;
  const names = field.names ? ` or a name (${field.names.join(', ')})` : '';
  return `${JSON.stringify(token)} is not a number ${field.min}-${field.max}${names}`;
}

/** Why one field is invalid, or undefined. */
function fieldProblem(text: string, field: Field): string | undefined {
  for (const part of text.split(',')) {
    if (part === '') return 'has an empty list item';
    const [range, step, extra] = part.split('/');
    if (extra !== undefined) return `${JSON.stringify(part)} has more than one step`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) {
      return `${JSON.stringify(part)}: the step must be a whole number >= 1`;
    }
    if (step !== undefined && Number(step) > field.max - field.min + 1) {
      return `${JSON.stringify(part)}: the step ${step} is larger than the field's range ${field.min}-${field.max}`;
    }
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `${JSON.stringify(range)} is not a range such as 1-5`;
    const values: number[] = [];
    for (const b of bounds) {
      const v = value(b, field);
      if (typeof v === 'string') return v;
      values.push(v);
    }
    if (values.length === 2 && values[0] > values[1]) {
      return `the range ${range} runs backwards`;
    }
  }
  return undefined;
}

/** Why `expression` is not a valid schedule of this flavour, or undefined when it is valid. */
export function cronProblem(expression: string, flavour: CronFlavour): string | undefined {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    if (flavour.macros && (CRON_MACROS as readonly string[]).includes(trimmed)) return undefined;
    return flavour.macros
      ? `${trimmed} is not a cron macro (${CRON_MACROS.join(', ')})`
      : 'macros such as @daily are not accepted here; write the fields';
  }
  if (/^(CRON_)?TZ=/.test(trimmed)) {
    return 'a time zone inside the schedule is refused by Kubernetes; schedules run in UTC';
  }
  const fields = flavour.seconds ? [SECOND, MINUTE, HOUR, DAY, MONTH, WEEKDAY] : [MINUTE, HOUR, DAY, MONTH, WEEKDAY];
  const parts = trimmed.split(/\s+/);
  if (parts.length !== fields.length) {
    return `has ${parts.length} field(s); ${fields.length} are needed (${fields.map((f) => f.name).join(', ')})`;
  }
  for (let i = 0; i < fields.length; i++) {
    const problem = fieldProblem(parts[i], fields[i]);
    if (problem !== undefined) return `${fields[i].name} field ${problem}`;
  }
  return undefined;
}

/**
 * A zod string that must be a valid schedule of `flavour`; the message names the field at fault,
 * e.g. `must be a five-field cron schedule (UTC) such as "0 9 * * 1": hour field 25 is outside 0-23`.
 */
export function cronSchema(flavour: CronFlavour, example: string): z.ZodEffects<z.ZodString> {
  const kind = flavour.seconds
    ? 'a six-field cron schedule with seconds first, as CloudNativePG expects,'
    : 'a five-field cron schedule (UTC)';
  return z.string().superRefine((v, ctx) => {
    const problem = cronProblem(v, flavour);
    if (problem !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be ${kind} such as "${example}": ${problem}` });
    }
  });
}

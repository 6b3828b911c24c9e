/**
 * Cron schedules as the consumers of a definition parse them: Kubernetes CronJobs (robfig/cron v3
 * standard parser: five fields, names for months and weekdays, `@hourly`-style macros), Velero
 * schedules (the same parser) and CloudNativePG ScheduledBackups (six fields, seconds first).
 *
 * `cronProblem` returns why an expression would be refused at apply time (or never fire), or
 * undefined when it is valid. Every field is checked: its range, lists, ranges, steps and names.
 */
import { z } from 'zod/v4';

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
export function cronSchema(flavour: CronFlavour, example: string): z.ZodString {
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

function parseField(field: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let [lo, hi] = [min, max];
    if (range !== '*') {
      const [a, b] = range.split('-').map(Number);
      lo = a;
      hi = b === undefined ? (stepText === undefined ? a : max) : b;
    }
    if (![lo, hi, step].every(Number.isInteger) || step < 1 || lo < min || hi > max || lo > hi) {
      throw new Error(`cron field '${field}' is not a valid field for ${min}-${max}`);
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values;
}

/**
 * The longest time (seconds) between two consecutive runs of a cron schedule (five fields, or six
 * with seconds first, whose seconds field is ignored), found by walking two years day by day
 * through its run times (UTC). Day of month and day of week combine as cron does: either matches when both are
 * restricted.
 */
export function cronMaxGapSeconds(schedule: string): number {
  let gap = maxGaps.get(schedule);
  if (gap === undefined) {
    gap = walkMaxGapSeconds(schedule);
    maxGaps.set(schedule, gap);
  }
  return gap;
}

/** cronMaxGapSeconds by schedule: a pure function, asked for the same few schedules many times per synth. */
const maxGaps = new Map<string, number>();

function walkMaxGapSeconds(schedule: string): number {
  let fields = schedule.trim().split(/\s+/);
  if (fields.length === 6) fields = fields.slice(1);
  if (fields.length !== 5) throw new Error(`'${schedule}' is not a cron schedule of five (or six) fields`);
  const [minute, hour, dom, month, dow] = [
    parseField(fields[0], 0, 59),
    parseField(fields[1], 0, 23),
    parseField(fields[2], 1, 31),
    parseField(fields[3], 1, 12),
    new Set([...parseField(fields[4], 0, 7)].map((d) => d % 7)),
  ];
  const domRestricted = fields[2] !== '*';
  const dowRestricted = fields[4] !== '*';
  const times = [...hour].sort((a, b) => a - b).flatMap((h) => [...minute].sort((a, b) => a - b).map((m) => (h * 60 + m) * 60_000));
  if (!domRestricted && !dowRestricted && month.size === 12) {
    // Every day runs the same times: the longest gap is within a day or across midnight.
    let gap = 86_400_000 - times[times.length - 1] + times[0];
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
    return gap / 1000;
  }
  const start = Date.UTC(2027, 0, 1);
  const end = Date.UTC(2029, 0, 1); // two years: a leap day and every weekday/date combination
  let first: number | undefined;
  let previous: number | undefined;
  let gap = 0;
  for (let day = start; day < end; day += 86_400_000) {
    const d = new Date(day);
    if (!month.has(d.getUTCMonth() + 1)) continue;
    const domMatch = dom.has(d.getUTCDate());
    const dowMatch = dow.has(d.getUTCDay());
    const dayMatch = domRestricted && dowRestricted ? domMatch || dowMatch : domMatch && dowMatch;
    if (!dayMatch) continue;
    for (const offset of times) {
      const t = day + offset;
      if (previous !== undefined) gap = Math.max(gap, t - previous);
      first ??= t;
      previous = t;
    }
  }
  if (first === undefined || previous === undefined) throw new Error(`'${schedule}' never runs`);
  if (first === previous) throw new Error(`'${schedule}' runs less than once in two years`);
  return gap / 1000;
}

/**
 * Turns a schema validation issue into the sentence a {@link ConfigError} carries: the
 * option as the user wrote it, what it must be, and what it was. Shared by every settings
 * object Eddy validates with zod (checkpoint settings, restart strategies).
 */
import type { z } from 'zod';
import type { ConfigError } from './errors.js';

/** A zod issue, as `safeParse(value, { reportInput: true })` reports it. */
export type ConfigIssue = z.core.$ZodIssue;

/** How a settings object names its options in messages. */
export interface ConfigIssueNaming {
  /** The option at `path` as the user wrote it, e.g. `--checkpoint-interval` or `attempts`. */
  name(path: readonly PropertyKey[]): string;
  /** Unit printed after numeric bounds of the option at `path`, e.g. `' ms'`. @default '' */
  unit?(path: readonly PropertyKey[]): string;
  /** Appended to the sentence, e.g. ` (checkpoint setting 'interval')`. @default '' */
  suffix?(path: readonly PropertyKey[]): string;
}

/**
 * Describes one issue: `--checkpoint-interval must be at least 10 ms, got 5`. Custom
 * issues (cross-field checks) are full sentences already and are returned as they are.
 */
export function describeConfigIssue(issue: ConfigIssue, naming: ConfigIssueNaming): string {
  if (issue.code === 'custom') return issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    return `unknown option${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  const path = issue.path;
  const name = naming.name(path);
  const unit = naming.unit?.(path) ?? '';
  const suffix = naming.suffix?.(path) ?? '';
  return `${name} ${requirement(issue, unit)}, got ${showValue(gotValue(issue))}${suffix}`;
}

function requirement(issue: ConfigIssue, unit: string): string {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must have at least ${issue.minimum} characters`;
      return issue.inclusive ? `must be at least ${issue.minimum}${unit}` : `must be greater than ${issue.minimum}${unit}`;
    case 'too_big':
      return issue.inclusive ? `must be at most ${issue.maximum}${unit}` : `must be less than ${issue.maximum}${unit}`;
    case 'invalid_type':
      return `must be ${article(issue.expected)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(showValue).join(', ')}`;
    case 'invalid_union':
      return 'options' in issue && Array.isArray(issue.options)
        ? `must be one of ${issue.options.map(showValue).join(', ')}`
        : 'has an invalid value';
    default:
      return issue.message.toLowerCase();
  }
}

function article(expected: string): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a finite number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    default:
      return `a ${expected}`;
  }
}

/** The value the user gave: for a discriminator issue, the discriminator field of the input. */
function gotValue(issue: ConfigIssue): unknown {
  const input: unknown = issue.input;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && typeof input === 'object' && input !== null) {
    return (input as Record<string, unknown>)[String(issue.discriminator)];
  }
  return input;
}

/** A value as a message shows it: strings quoted, numbers as they are, objects abbreviated. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  return 'an object';
}

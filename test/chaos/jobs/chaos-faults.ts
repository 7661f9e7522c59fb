/**
 * The faults a chaos job injects into itself, at deterministic points: the record with a
 * chosen index on a chosen source subtask (faults of one run are all on one subtask, at
 * increasing indices, so each is reached again after the restore that the one before it
 * caused), or the restore of a chosen attempt. Storage faults are not here: they are
 * `StorageFaults` of the run's options.
 */

/** Kinds of fault the job injects itself. */
export const JOB_FAULT_KINDS = ['throw', 'exit-thread', 'restore', 'kill'] as const;
export type JobFaultKind = (typeof JOB_FAULT_KINDS)[number];

/**
 * One injected fault: in process life `life` (0 = the first `eddy run`, 1 = the run that
 * resumed after a `kill`) and attempt `attempt` of that life, on the fault subtask:
 * - `throw`: a user function throws at record `record`
 * - `exit-thread`: the worker thread ends at record `record`
 * - `kill`: the whole process gets SIGKILL at record `record` (the run is then resumed)
 * - `restore`: restoring state fails
 */
export interface JobFault {
  readonly life: number;
  readonly attempt: number;
  readonly how: JobFaultKind;
  /** Index of the input record (of the fault subtask's range) at which it fires. */
  readonly record?: number;
}

/** A line of the fault log: a fault that fired. */
export interface FiredFault {
  readonly life: number;
  readonly attempt: number;
  readonly how: JobFaultKind;
  readonly subtask: number;
  readonly record?: number;
}

/** Writes faults as the `faults` job parameter. */
export function formatJobFaults(faults: readonly JobFault[]): string {
  return faults.map((f) => `${f.life}:${f.attempt}:${f.how}:${f.record ?? ''}`).join(';');
}

/** Reads the `faults` job parameter. */
export function parseJobFaults(text: string): JobFault[] {
  return text
    .split(';')
    .filter((s) => s.trim() !== '')
    .map((s) => {
      const [life, attempt, how, record] = s.trim().split(':');
      if (!JOB_FAULT_KINDS.includes(how as JobFaultKind)) throw new TypeError(`chaos job: bad fault '${s}' (kinds: ${JOB_FAULT_KINDS.join(', ')})`);
      const fault: JobFault = { life: Number(life), attempt: Number(attempt), how: how as JobFaultKind };
      return record === undefined || record === '' ? fault : { ...fault, record: Number(record) };
    });
}

import { describe, expect, it } from 'vitest';
import { runJob } from 'eddy';
import { BASE_KEYS, describeKey, keyOf, RECORDS, VARIANTS } from '../jobs/key-isolation.js';
import type { IsolationEvent } from '../jobs/key-isolation.js';
import { runs, testJobPath } from './support.js';


describe('keyed state isolation', () => {
  const allKeys = new Set(Array.from({ length: RECORDS }, (_, n) => describeKey(keyOf(n))));

  it('uses keys of several types that look alike but are distinct', () => {
    expect(allKeys.size).toBe(BASE_KEYS * VARIANTS);
    expect([...allKeys].filter((k) => /:7\b/.test(k) && !k.includes('.'))).toEqual(['number:7', 'string:7', 'bigint:7', '[number:7]']);
  });

  it.each(runs([1, 3, 4]))(
    'never lets a key see another key’s state at parallelism %i in %s mode',
    async (parallelism, execution) => {
      const result = await runJob(testJobPath('key-isolation'), { parallelism, execution });
      const events = result.output<IsolationEvent>('key-isolation');
      const violations = events.filter((e) => e.type === 'violation');
      expect(violations.slice(0, 10)).toEqual([]);
      const firsts = events.filter((e) => e.type === 'first').map((e) => e.key);
      const completes = events.filter((e) => e.type === 'complete').map((e) => e.key);
      // each key starts once (its state lives on one subtask) and keeps its state to its last record
      expect(firsts.length).toBe(allKeys.size);
      expect(new Set(firsts)).toEqual(allKeys);
      expect(completes.length).toBe(allKeys.size);
      expect(new Set(completes)).toEqual(allKeys);
    },
  );
});

/**
 * Testing helpers for Eddy jobs, so users can test their jobs' fault tolerance the way
 * Eddy's own tests do: `import { FailingMap } from 'eddy/testing'`.
 */
export { FailingMap, InjectedFailure } from './failing-map.js';
export type { FailingMapOptions } from './failing-map.js';
export { AbortingSource } from './aborting-source.js';
export type { AbortingSourceOptions } from './aborting-source.js';
export { corruptCheckpointFile } from '../checkpoint/storage/checkpoint-corruption.js';
export type { StorageFaults } from '../checkpoint/storage/storage-faults.js';
export { ManualClock } from './manual-clock.js';

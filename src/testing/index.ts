/** Testing helpers for Eddy jobs: `import { FailingMap } from 'eddy/testing'`. */
export { FailingMap, InjectedFailure } from './failing-map.js';
export type { FailingMapOptions } from './failing-map.js';

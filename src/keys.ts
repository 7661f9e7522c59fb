/**
 * Keys and key groups (DESIGN §3), for code that needs to know where a key lands without
 * running a job, e.g. to route or pre-partition data the way Eddy will:
 * `import { assignToKeyGroup } from 'eddy/keys'`. The same exports are in `eddy`.
 */
export type { Key } from './core/key-encoding.js';
export { KEY_ENCODING_VERSION } from './core/key-encoding.js';
export { KeyGroupRange } from './core/key-group-range.js';
export {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  defaultMaxParallelism,
  keyGroupRangeForOperator,
  operatorIndexForKeyGroup,
} from './core/key-groups.js';

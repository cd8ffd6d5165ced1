// The example implementation: `seaworthy run --impl examples/js-raft/index.js`.
import { createRaft } from './raft.js';

export default createRaft();

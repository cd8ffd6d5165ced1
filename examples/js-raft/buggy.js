// The same Raft with a planted bug: a follower grants its vote to a second candidate in the same term.
// `seaworthy run --impl examples/js-raft/buggy.js` must fail election safety.
import { createRaft } from './raft.js';

export const implementation = createRaft({ bug: 'double-vote' });

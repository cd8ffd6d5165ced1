// The example Raft with snapshots (the `snapshot` capability): `seaworthy run --impl examples/js-raft/snapshots.js
// --scenario snapshot-lagging-follower`. Without it, the snapshot scenarios are skipped with a notice.
import { createRaft } from './raft.js';

export default createRaft({ snapshots: true });

// The example Raft with membership changes and leadership transfer (the `membership-change` and
// `leadership-transfer` capabilities): `seaworthy run --impl examples/js-raft/membership.js`. Without them the
// membership scenarios are skipped with a notice.
import { createRaft } from './raft.js';

export default createRaft({ membership: true });

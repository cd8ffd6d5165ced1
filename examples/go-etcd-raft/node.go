package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.etcd.io/etcd/raft"
)

// Limits of one append message and of the committed entries of one Ready (etcd's MaxSizePerMsg), and of the
// appends in flight to one follower. Far below the protocol's 16 MiB per reply line, even for 5 nodes.
const (
	maxSizePerMsgBytes = 64 * 1024
	maxInflightMsgs    = 64
)

// node is one node incarnation: etcd's RawNode plus the bookkeeping that the protocol asks of the host side.
type node struct {
	opts    options
	id      uint64
	storage *hostStorage
	rn      *raft.RawNode
	// inFlight is the Ready handed to the host and not yet advanced (nothing else is called in between).
	inFlight *raft.Ready
	// inFlightLate says that inFlight is the planted bug's late hard state, not a Ready of etcd's.
	inFlightLate bool
	// reported is the hard state the host's disk holds as far as this adapter told it (vote-after-send only).
	reported wireHardState
	// lateHardState is the hard state vote-after-send still owes the host, handed out as a Ready of its own
	// after the Ready whose messages depended on it.
	lateHardState *wireHardState
	// reads are the read requests this incarnation started and has not reported yet. A follower's read comes
	// back as a MsgReadIndexResp, which etcd turns into a ReadState whoever asked: one meant for this node's
	// previous incarnation (the host dropped its reads at the crash), a duplicate the network delivered twice,
	// or another node's read that was forwarded through this one.
	reads map[uint64]bool
	// confs are the configuration entries of this node's log, in Seaworthy's form (-membership; without it the
	// log holds none and the base is the static cluster).
	confs *confLog
	// appliedConf is the configuration etcd has applied (its ConfState): empty voters for a node that joined and
	// has applied no configuration entry yet.
	appliedConf configuration
	// electionTicks is etcd's ElectionTick; removedTicks counts the ticks since this leader applied its own
	// removal (handOffIfRemoved waits electionTicks of them before it transfers leadership).
	electionTicks int
	removedTicks  int
}

func newNode(opts options, req *request) (*node, error) {
	if req.ElectionTicks < 1 || req.HeartbeatTicks < 1 || req.HeartbeatTicks >= req.ElectionTicks {
		return nil, fmt.Errorf("electionTicks %d and heartbeatTicks %d: etcd needs 1 <= heartbeatTicks < electionTicks",
			req.ElectionTicks, req.HeartbeatTicks)
	}
	var applied uint64
	if req.Applied != nil {
		applied = *req.Applied
	}
	confs := &confLog{}
	if len(req.Peers) > 0 {
		bootstrap := simpleConfig(req.Peers)
		confs.base = &bootstrap
	}
	entries, err := confs.restoreStored(req.Storage.Entries)
	if err != nil {
		return nil, err
	}
	// etcd starts in the configuration as of the applied index; the changes after it come back to be applied.
	appliedConf := configuration{Voters: []uint64{}, Learners: []uint64{}, Outgoing: []uint64{}}
	if c := confs.at(applied); c != nil {
		appliedConf = *c
	}
	storage, err := newHostStorage(entries, req.Storage, applied, appliedConf.confState())
	if err != nil {
		return nil, err
	}
	// One process is one node incarnation, so reseeding the package-global generator affects only this node.
	reseedEtcd(int64(req.Seed))
	cfg := &raft.Config{
		ID:              req.ID,
		ElectionTick:    req.ElectionTicks,
		HeartbeatTick:   req.HeartbeatTicks,
		Storage:         storage,
		MaxSizePerMsg:   maxSizePerMsgBytes,
		MaxInflightMsgs: maxInflightMsgs,
		PreVote:         opts.preVote,
		CheckQuorum:     opts.checkQuorum,
		// ReadOnlySafe confirms leadership with a heartbeat round (thesis §6.4); lease-based reads (-lease-read)
		// trust the leader's clock, which Seaworthy skews on purpose (the lease-skew scenario).
		ReadOnlyOption: readOnlyOption(opts),
		// The host's state machine is durable (contract stateMachine "durable"): etcd hands out committed
		// entries from applied + 1, as in an application that persists its applied index.
		Applied: applied,
		Logger:  stderrLogger{id: req.ID},
	}
	rn, err := raft.NewRawNode(cfg)
	if err != nil {
		return nil, err
	}
	return &node{opts: opts, id: req.ID, storage: storage, rn: rn, reported: req.Storage.HardState, reads: map[uint64]bool{},
		confs: confs, appliedConf: appliedConf, electionTicks: req.ElectionTicks}, nil
}

func readOnlyOption(opts options) raft.ReadOnlyOption {
	if opts.leaseRead {
		return raft.ReadOnlyLeaseBased
	}
	return raft.ReadOnlySafe
}

func (n *node) tick() {
	n.rn.Tick()
	if n.opts.membership && len(n.appliedConf.Voters) > 0 && !n.appliedConf.isMember(n.id) {
		n.removedTicks++
	}
	n.handOffIfRemoved()
}

func (n *node) step(w wireMessage) error {
	m, err := messageFromWire(w)
	if err != nil {
		return err
	}
	// A proposal forwarded by a follower (MsgProp) to a node that is no longer leader, or knows none, is
	// dropped as etcd drops it anywhere: the client's request times out and it retries elsewhere. With
	// membership changes, etcd also refuses a response from a node outside the configuration it has applied
	// (ErrStepPeerNotFound: a removed node's late answer, or a joining node's before its addition is applied
	// here); etcd's server drops such a message too (its transport logs the error and goes on).
	if err := n.rn.Step(m); err != nil && !errors.Is(err, raft.ErrProposalDropped) && !errors.Is(err, raft.ErrStepPeerNotFound) {
		return err
	}
	return nil
}

// propose hands data to etcd as etcd's own users do: RawNode.Propose appends it at a leader and forwards it
// to the leader from a follower (MsgProp). The reply has no index (contract proposals "unindexed"): the host
// answers the client when this node applies the command. etcd drops a proposal when no leader is known (and
// during a leadership transfer); the client is then sent on, with the leader as a hint if one is known.
func (n *node) propose(data []byte) (map[string]interface{}, error) {
	if err := n.rn.Propose(data); err != nil {
		if !errors.Is(err, raft.ErrProposalDropped) {
			return nil, err
		}
		hint := n.rn.BasicStatus().Lead
		if hint == n.id {
			hint = 0
		}
		return map[string]interface{}{"type": "proposed", "accepted": false, "leaderHint": hint}, nil
	}
	return map[string]interface{}{"type": "proposed", "accepted": true}, nil
}

// readIndex starts a ReadIndex read (thesis §6.4) on the leader, or on a follower that knows its leader, which
// etcd forwards there (MsgReadIndex) and answers with the leader's commit index once it has confirmed its
// leadership (MsgReadIndexResp); the host serves the read once this node has applied that far. A candidate, or a
// follower with no leader, refuses (etcd would drop the request) and the client is redirected. etcd postpones a
// new leader's reads until it has committed an entry of its term. The context names this node as well as the
// request, so two nodes' reads never share one at the leader.
func (n *node) readIndex(requestID uint64) bool {
	basic := n.rn.BasicStatus()
	if basic.RaftState != raft.StateLeader && (basic.RaftState != raft.StateFollower || basic.Lead == 0) {
		return false
	}
	n.rn.ReadIndex([]byte(readContext(n.id, requestID)))
	n.reads[requestID] = true
	return true
}

func readContext(id, requestID uint64) string {
	return strconv.FormatUint(id, 10) + ":" + strconv.FormatUint(requestID, 10)
}

// ready hands out etcd's next Ready in the protocol's shape, or nil when etcd has nothing to do.
func (n *node) ready() (*wireReady, error) {
	if n.inFlight != nil {
		return nil, errors.New("ready requested before the previous Ready was advanced")
	}
	if n.lateHardState != nil {
		return n.lateReady(), nil
	}
	if !n.rn.HasReady() {
		return nil, nil
	}
	rd := n.rn.Ready()
	if !raft.IsEmptySnap(rd.Snapshot) {
		return nil, errors.New("etcd produced a snapshot, which this adapter never requests")
	}
	out, err := n.readyToWire(rd)
	if err != nil {
		return nil, err
	}
	n.inFlight = &rd
	return out, nil
}

func (n *node) readyToWire(rd raft.Ready) (*wireReady, error) {
	out := &wireReady{}
	// The Ready's entries first: committed entries may include some of them (a single voter commits at once).
	if err := n.confs.record(rd.Entries); err != nil {
		return nil, err
	}
	var err error
	if out.Entries, err = n.entriesToWire(rd.Entries); err != nil {
		return nil, err
	}
	if out.CommittedEntries, err = n.entriesToWire(rd.CommittedEntries); err != nil {
		return nil, err
	}
	out.Messages = make([]wireMessage, 0, len(rd.Messages))
	for _, m := range rd.Messages {
		w, err := messageToWire(m)
		if err != nil {
			return nil, err
		}
		out.Messages = append(out.Messages, w)
	}
	if rd.SoftState != nil {
		out.SoftState = &wireSoftState{Role: roleToWire(rd.SoftState.RaftState), Leader: rd.SoftState.Lead}
	}
	if !raft.IsEmptyHardState(rd.HardState) {
		hs := wireHardState{Term: rd.HardState.Term, Vote: rd.HardState.Vote, Commit: rd.HardState.Commit}
		switch n.opts.bug {
		case bugVoteNotPersisted:
			// The planted bug: the vote never reaches the disk, so a restarted node may vote again in a term
			// it already voted in (Raft §5.2, Figure 2: votedFor is persistent state).
			hs.Vote = 0
		case bugVoteAfterSend:
			hs = n.withholdVote(hs, len(out.Messages) > 0)
		}
		out.HardState = &hs
	}
	for _, rs := range rd.ReadStates {
		prefix := strconv.FormatUint(n.id, 10) + ":"
		ctx := string(rs.RequestCtx)
		requestID, err := strconv.ParseUint(strings.TrimPrefix(ctx, prefix), 10, 64)
		// Not ours, or not outstanding: skip it. etcd rewrites From at every hop, so a read forwarded twice (to a
		// follower that still believed in an old leader, which forwarded it on) is answered to the middle node;
		// and a MsgReadIndexResp may arrive for this node's previous incarnation, or twice.
		if err != nil || !strings.HasPrefix(ctx, prefix) || !n.reads[requestID] {
			continue
		}
		delete(n.reads, requestID)
		out.ReadStates = append(out.ReadStates, wireReadState{RequestID: requestID, Index: rs.Index})
	}
	return out, nil
}

// withholdVote is the planted bug vote-after-send: when a Ready changes the vote and carries messages (a
// MsgVoteResp granting it, or a candidate's MsgVote), the host gets the hard state without the new vote (the
// old one in the same term, none in a new term), and the vote follows in a Ready of its own once the messages
// are out. A crash while that late write is in flight (a slow disk, a crash point) forgets a vote already
// granted, as in a server that replies before its fsync.
func (n *node) withholdVote(hs wireHardState, hasMessages bool) wireHardState {
	if hs.Vote == n.reported.Vote || !hasMessages {
		n.reported = hs
		return hs
	}
	late := hs
	n.lateHardState = &late
	if hs.Term != n.reported.Term {
		hs.Vote = 0
	} else {
		hs.Vote = n.reported.Vote
	}
	n.reported = hs
	return hs
}

// lateReady hands out the hard state that vote-after-send withheld from the previous Ready.
func (n *node) lateReady() *wireReady {
	hs := *n.lateHardState
	n.lateHardState = nil
	n.reported = hs
	n.inFlight = &raft.Ready{}
	n.inFlightLate = true
	return &wireReady{HardState: &hs, Entries: []wireEntry{}, Messages: []wireMessage{}, CommittedEntries: []wireEntry{}}
}

// advance records in etcd's storage what the host has now persisted, then lets etcd move on.
func (n *node) advance() error {
	rd := n.inFlight
	if rd == nil {
		return errors.New("advance without a Ready")
	}
	n.inFlight = nil
	if n.inFlightLate {
		// Not a Ready of etcd's: etcd already counts this hard state as handled.
		n.inFlightLate = false
		return nil
	}
	if err := n.storage.Append(rd.Entries); err != nil {
		return err
	}
	if !raft.IsEmptyHardState(rd.HardState) {
		if err := n.storage.SetHardState(rd.HardState); err != nil {
			return err
		}
	}
	// The host has applied the committed entries: configuration changes go to etcd before Advance, which is
	// where etcd's leader appends the entry leaving a joint configuration it has just applied (auto-leave).
	if err := n.applyConfEntries(rd.CommittedEntries); err != nil {
		return err
	}
	// Only the backport needs the leader's last index around Advance (Status copies every progress).
	watchAutoLeave := n.opts.fixAutoLeave && n.appliedConf.joint()
	var lastBefore uint64
	if watchAutoLeave {
		lastBefore = n.ownLastIndex()
	}
	n.rn.Advance(*rd)
	if watchAutoLeave && n.ownLastIndex() > lastBefore {
		// Advance appended the entry leaving the joint configuration (only auto-leave appends there): mark it
		// pending, as etcd does since etcd-io/etcd#11046, so the next Advance does not append it again.
		setPendingConfIndex(n.rn, n.ownLastIndex())
	}
	n.handOffIfRemoved()
	return nil
}

type wireStatus struct {
	ID        uint64 `json:"id"`
	Term      uint64 `json:"term"`
	Role      string `json:"role"`
	Leader    uint64 `json:"leader"`
	Commit    uint64 `json:"commit"`
	Applied   uint64 `json:"applied"`
	LastIndex uint64 `json:"lastIndex"`
}

func (n *node) status() (wireStatus, error) {
	basic := n.rn.BasicStatus()
	last, err := n.storage.LastIndex()
	if err != nil {
		return wireStatus{}, err
	}
	return wireStatus{
		ID: n.id, Term: basic.Term, Role: roleToWire(basic.RaftState), Leader: basic.Lead,
		Commit: basic.Commit, Applied: basic.Applied, LastIndex: last,
	}, nil
}

// Compile-time check that the storage satisfies etcd's interface with our InitialState.
var _ raft.Storage = (*hostStorage)(nil)

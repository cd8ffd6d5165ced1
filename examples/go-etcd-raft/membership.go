package main

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// Membership changes and leadership transfer (-membership): docs/contract.md § Membership changes, § For etcd
// users, § Leadership transfer. etcd's configuration entries (EntryConfChangeV2, a delta) cross the boundary as
// Seaworthy's (`conf:` + the whole configuration), and back on a restart; the adapter applies committed ones
// with ApplyConfChange, as etcd's users do.

// confLog is the configuration entries of this node's log as Seaworthy configurations, over the configuration
// before them: the bootstrap one (peers), or none for a node that joined with an empty disk.
// Invariant: indexes strictly ascending, the same length as configs.
type confLog struct {
	base    *configuration
	indexes []uint64
	configs []configuration
}

// at is the configuration at log position index: the latest entry at or before it, else the base (nil: none).
func (l *confLog) at(index uint64) *configuration {
	for k := len(l.indexes) - 1; k >= 0; k-- {
		if l.indexes[k] <= index {
			return &l.configs[k]
		}
	}
	return l.base
}

// truncateFrom forgets the entries at index and beyond (the log is replaced from there, Raft §5.3).
func (l *confLog) truncateFrom(index uint64) {
	for len(l.indexes) > 0 && l.indexes[len(l.indexes)-1] >= index {
		l.indexes = l.indexes[:len(l.indexes)-1]
		l.configs = l.configs[:len(l.configs)-1]
	}
}

func (l *confLog) add(index uint64, c configuration) {
	l.indexes = append(l.indexes, index)
	l.configs = append(l.configs, c)
}

// confChangeOf decodes a configuration-change entry of either version as etcd's ConfChangeV2.
func confChangeOf(e pb.Entry) (pb.ConfChangeV2, error) {
	switch e.Type {
	case pb.EntryConfChange:
		var cc pb.ConfChange
		if err := cc.Unmarshal(e.Data); err != nil {
			return pb.ConfChangeV2{}, err
		}
		return cc.AsV2(), nil
	case pb.EntryConfChangeV2:
		var cc pb.ConfChangeV2
		if err := cc.Unmarshal(e.Data); err != nil {
			return pb.ConfChangeV2{}, err
		}
		return cc, nil
	}
	return pb.ConfChangeV2{}, fmt.Errorf("entry %d is not a configuration change", e.Index)
}

// configurationOf is the whole configuration entry e leads to, given the configurations of the log before it.
// Every change this adapter proposes or rebuilds carries it in Context (etcd leaves Context to the application);
// the one entry etcd writes on its own, the empty ConfChangeV2 that leaves a joint configuration (auto-leave),
// leads to C_new of the configuration before it.
func (l *confLog) configurationOf(e pb.Entry) (configuration, error) {
	cc, err := confChangeOf(e)
	if err != nil {
		return configuration{}, err
	}
	if len(cc.Context) > 0 {
		c, ok, err := parseConfText(cc.Context)
		if err != nil || !ok {
			return configuration{}, fmt.Errorf("configuration change at index %d has a Context that is not a configuration: %q", e.Index, cc.Context)
		}
		return c, nil
	}
	prev := l.at(e.Index - 1)
	if cc.LeaveJoint() && prev != nil && prev.joint() {
		return configuration{Voters: prev.Voters, Learners: prev.Learners, Outgoing: []uint64{}}, nil
	}
	if cc.LeaveJoint() && prev != nil {
		// etcd 3.4 appends the leaving entry again at every Advance that applies entries while the joint
		// configuration is not left yet (raft.advance does not bump pendingConfIndex; fixed upstream by
		// etcd-io/etcd#11046, after 3.4): after the first leaving entry, the configuration is no longer joint.
		// This one changes nothing, so it carries the configuration before it; applying it, etcd panics ("can't
		// leave a non-joint config"). See README.md, "What Seaworthy reports in etcd 3.4".
		return *prev, nil
	}
	return configuration{}, fmt.Errorf("configuration change at index %d names no configuration and leaves no joint one: %s", e.Index, cc.String())
}

// record follows entries about to be handed to the host (a Ready's entries, which replace the log from their
// first index on), noting the configuration each configuration entry leads to.
func (l *confLog) record(es []pb.Entry) error {
	if len(es) == 0 {
		return nil
	}
	l.truncateFrom(es[0].Index)
	for _, e := range es {
		if e.Type == pb.EntryNormal {
			continue
		}
		c, err := l.configurationOf(e)
		if err != nil {
			return err
		}
		l.add(e.Index, c)
	}
	return nil
}

// restoreStored turns the host's stored entries (configuration entries in Seaworthy's form) back into etcd's:
// each `conf:` entry becomes the ConfChangeV2 from the configuration before it (the previous one, else the
// bootstrap one) with its configuration in Context, an empty one where it leaves a joint configuration. A
// function of the log, so every restart rebuilds the same entries.
func (l *confLog) restoreStored(ws []wireEntry) ([]pb.Entry, error) {
	out := make([]pb.Entry, 0, len(ws))
	for _, w := range ws {
		c, ok, err := parseConfText(w.Data)
		if err != nil {
			return nil, err
		}
		if !ok {
			out = append(out, normalEntry(w))
			continue
		}
		prev := l.at(w.Index - 1)
		if prev == nil {
			// A node that joined empty: the entry is applied from its Context anyway (applyConfiguration).
			empty := configuration{Voters: []uint64{}, Learners: []uint64{}, Outgoing: []uint64{}}
			prev = &empty
		}
		cc := confChangeTo(*prev, c)
		data, err := cc.Marshal()
		if err != nil {
			return nil, err
		}
		out = append(out, pb.Entry{Term: w.Term, Index: w.Index, Type: pb.EntryConfChangeV2, Data: data})
		l.add(w.Index, c)
	}
	return out, nil
}

// proposeConfChange is propose-conf-change: etcd's own ConfChangeV2 (ConfChangeTransitionAuto: simple for one
// change, joint consensus with auto-leave for more), with the whole configuration it leads to in Context. etcd
// refuses a change silently, by appending an empty normal entry instead (stepLeader, MsgProp), while an earlier
// change may be unapplied (pendingConfIndex above applied: set to the last index when the node became leader, and
// to a change's index when it accepts one) or the configuration is joint; so the adapter makes the same checks
// first and refuses on the pipe, with this node as the hint. During a transfer etcd drops every proposal (the
// target is the hint), and a leader its configuration no longer holds drops them too.
func (n *node) proposeConfChange(req confChangeRequest) (map[string]interface{}, error) {
	st := n.rn.Status()
	refuse := func(hint uint64) map[string]interface{} {
		return map[string]interface{}{"type": "proposed", "accepted": false, "leaderHint": hint}
	}
	if st.RaftState != raft.StateLeader {
		return refuse(st.Lead), nil
	}
	if st.LeadTransferee != raft.None {
		return refuse(st.LeadTransferee), nil
	}
	if !n.appliedConf.isMember(n.id) || pendingConfIndex(n.rn) > st.Applied || n.appliedConf.joint() {
		return refuse(n.id), nil
	}
	next, err := nextConfiguration(n.appliedConf, req)
	if err != nil {
		return refuse(n.id), nil
	}
	cc := pb.ConfChangeV2{Transition: pb.ConfChangeTransitionAuto, Context: []byte(next.text())}
	for _, ch := range req.Changes {
		typ := pb.ConfChangeAddNode // add-voter, and promote: etcd's AddNode on a learner promotes it
		switch ch.Type {
		case "add-learner":
			typ = pb.ConfChangeAddLearnerNode
		case "remove":
			typ = pb.ConfChangeRemoveNode
		}
		cc.Changes = append(cc.Changes, pb.ConfChangeSingle{Type: typ, NodeID: ch.Node})
	}
	if err := n.rn.ProposeConfChange(cc); err != nil {
		if errors.Is(err, raft.ErrProposalDropped) {
			return refuse(n.id), nil
		}
		return nil, err
	}
	// A leader's own progress follows its last index (raft.appendEntry), so it is the change's index.
	own, ok := n.rn.Status().Progress[n.id]
	if !ok {
		return nil, errors.New("the leader has no progress of its own after appending a configuration change")
	}
	return map[string]interface{}{"type": "proposed", "accepted": true, "index": own.Match, "term": st.Term}, nil
}

// pendingConfIndex reads etcd's raft.pendingConfIndex, which it keeps unexported: the only way to know whether
// etcd would turn a configuration change into an empty entry (it says nothing when it does).
func pendingConfIndex(rn *raft.RawNode) uint64 {
	return reflect.ValueOf(rn).Elem().FieldByName("raft").Elem().FieldByName("pendingConfIndex").Uint()
}

// setPendingConfIndex writes etcd's unexported raft.pendingConfIndex (the -fix-auto-leave backport only).
func setPendingConfIndex(rn *raft.RawNode, index uint64) {
	field := reflect.ValueOf(rn).Elem().FieldByName("raft").Elem().FieldByName("pendingConfIndex")
	reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem().SetUint(index)
}

// ownLastIndex is a leader's last index (its own progress follows it), 0 on any other node.
func (n *node) ownLastIndex() uint64 {
	if n.rn.BasicStatus().RaftState != raft.StateLeader {
		return 0
	}
	return n.rn.Status().Progress[n.id].Match
}

// transferLeadership is transfer-leadership: etcd's TransferLeader, which catches the target up, sends it
// MsgTimeoutNow, drops proposals meanwhile and gives up after an election timeout. etcd ignores a target that is
// not in the configuration it has applied, or a learner, so the adapter refuses those.
func (n *node) transferLeadership(target uint64) bool {
	st := n.rn.BasicStatus()
	if st.RaftState != raft.StateLeader || target == n.id || !n.appliedConf.isVoter(target) {
		return false
	}
	n.rn.TransferLeader(target)
	return true
}

// applyConfEntries calls ApplyConfChange for the configuration entries among entries the host has applied, in
// order, with the entry's own ConfChange, as an etcd application does before Advance. A node that joined empty
// is the exception: etcd starts there with no configuration (the cluster's bootstrap configuration is not in
// the log, see storage.go), so the first entry it applies gives it the whole configuration the entry names.
// etcd's resulting ConfState must be the configuration the entry was handed to the host as.
func (n *node) applyConfEntries(entries []pb.Entry) error {
	for _, e := range entries {
		if e.Type == pb.EntryNormal {
			continue
		}
		target := n.confs.at(e.Index)
		if target == nil {
			return fmt.Errorf("committed configuration entry %d was never recorded", e.Index)
		}
		var cs *pb.ConfState
		if len(n.appliedConf.Voters) == 0 {
			cs = n.restoreConfiguration(*target)
		} else {
			cc, err := confChangeOf(e)
			if err != nil {
				return err
			}
			cs = applyOwn(n.rn, cc)
		}
		got := confFromState(*cs)
		if !got.equal(*target) {
			return fmt.Errorf("etcd applied configuration entry %d as %s, not %s", e.Index, got.text(), target.text())
		}
		n.appliedConf = got
	}
	return nil
}

// restoreConfiguration builds c from no configuration through simple changes, as etcd's confchange.Restore does
// for a ConfState: C_old's voters one by one, then the rest (entering the joint configuration when c is joint).
func (n *node) restoreConfiguration(c configuration) *pb.ConfState {
	var cs *pb.ConfState
	from := configuration{Voters: []uint64{}, Learners: []uint64{}, Outgoing: []uint64{}}
	if c.joint() {
		for _, v := range c.Outgoing {
			cs = n.rn.ApplyConfChange(pb.ConfChangeV2{Changes: []pb.ConfChangeSingle{{Type: pb.ConfChangeAddNode, NodeID: v}}})
		}
		from = simpleConfig(c.Outgoing)
		return n.rn.ApplyConfChange(confChangeTo(from, c))
	}
	for _, ch := range confChangesTo(from, c) {
		cs = n.rn.ApplyConfChange(pb.ConfChangeV2{Changes: []pb.ConfChangeSingle{ch}})
	}
	return cs
}

// handOffIfRemoved: a leader that has applied its own removal. etcd 3.4 keeps it leading (switchToConfig: "TODO
// step down ... and ask follower with largest Match to TimeoutNow"), replicating but dropping every proposal;
// etcd's server stops such a member one second after it applies its removal (stopWithDelay), so that the others
// learn the removal is committed first. The adapter waits an election timeout likewise (heartbeats carry the
// commit index meanwhile), then hands over: a transfer to the voter with the largest match, again whenever one
// gives up. Without the wait, a target that has not applied C_new yet campaigns in C_old,new (configurations
// take effect when applied) and needs the old leader's vote. Called after each Advance and tick.
func (n *node) handOffIfRemoved() {
	if !n.opts.membership || len(n.appliedConf.Voters) == 0 || n.appliedConf.isMember(n.id) || n.removedTicks < n.electionTicks {
		return
	}
	st := n.rn.Status()
	if st.RaftState != raft.StateLeader || st.LeadTransferee != raft.None {
		return
	}
	var best, bestMatch uint64
	for _, v := range n.appliedConf.Voters {
		if pr, ok := st.Progress[v]; ok && (best == 0 || pr.Match > bestMatch) {
			best, bestMatch = v, pr.Match
		}
	}
	if best != 0 {
		n.rn.TransferLeader(best)
	}
}

// applyOwn is RawNode.ApplyConfChange, whose failures (confchange's errors) etcd reports with a bare panic, not
// through its logger: they are etcd refusing a change it wrote itself, so they become assertion failures.
func applyOwn(rn *raft.RawNode, cc pb.ConfChangeV2) (cs *pb.ConfState) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(assertionFailure); ok {
				panic(p)
			}
			panic(assertionFailure(fmt.Sprintf("ApplyConfChange(%s): %v", cc.String(), p)))
		}
	}()
	return rn.ApplyConfChange(cc)
}

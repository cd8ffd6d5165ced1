package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	pb "go.etcd.io/etcd/raft/raftpb"
)

// Seaworthy's configurations (docs/contract.md § Membership changes; core/configuration.ts is the reference) and
// their mapping onto etcd's ConfState and ConfChangeV2 (§ For etcd users). Ours is the WHOLE configuration an
// entry leads to; etcd's is a delta. Nothing here touches a RawNode.

// confPrefix starts the data of a configuration entry in Seaworthy's form.
const confPrefix = "conf:"

// configuration is a Seaworthy configuration: voters (C_new's while joint), learners, and outgoing (C_old's
// voters during joint consensus, empty otherwise). Invariant: each list ascending, without duplicates.
type configuration struct {
	Voters   []uint64 `json:"voters"`
	Learners []uint64 `json:"learners"`
	Outgoing []uint64 `json:"outgoing"`
}

// confChangeRequest is the request of propose-conf-change.
type confChangeRequest struct {
	Changes []struct {
		Type string `json:"type"`
		Node uint64 `json:"node"`
	} `json:"changes"`
}

func sortedCopy(ids []uint64) []uint64 {
	out := append([]uint64{}, ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func contains64(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func simpleConfig(voters []uint64) configuration {
	return configuration{Voters: sortedCopy(voters), Learners: []uint64{}, Outgoing: []uint64{}}
}

func (c configuration) joint() bool { return len(c.Outgoing) > 0 }

// isVoter says whether id votes in either half.
func (c configuration) isVoter(id uint64) bool {
	return contains64(c.Voters, id) || contains64(c.Outgoing, id)
}

func (c configuration) isMember(id uint64) bool { return c.isVoter(id) || contains64(c.Learners, id) }

func (c configuration) equal(d configuration) bool {
	return sameIDs(c.Voters, d.Voters) && sameIDs(c.Learners, d.Learners) && sameIDs(c.Outgoing, d.Outgoing)
}

func sameIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// text is the entry data Seaworthy reads: `conf:` and the three lists, in this field order (encodeConfEntry's).
func (c configuration) text() string {
	list := func(ids []uint64) string {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = fmt.Sprint(id)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return confPrefix + `{"voters":` + list(c.Voters) + `,"learners":` + list(c.Learners) + `,"outgoing":` + list(c.Outgoing) + "}"
}

// parseConfText reads a configuration entry's text; ok is false for any other entry (a command, a no-op).
func parseConfText(data []byte) (c configuration, ok bool, err error) {
	if !strings.HasPrefix(string(data), confPrefix) {
		return configuration{}, false, nil
	}
	if err := json.Unmarshal(data[len(confPrefix):], &c); err != nil {
		return configuration{}, true, fmt.Errorf("configuration entry %q: %v", data, err)
	}
	c.Voters, c.Learners, c.Outgoing = sortedCopy(c.Voters), sortedCopy(c.Learners), sortedCopy(c.Outgoing)
	return c, true, nil
}

// confFromState is etcd's ConfState as our configuration. LearnersNext (voters demoted to learners on leaving a
// joint configuration) is never set here: no request of Seaworthy's demotes a voter.
func confFromState(cs pb.ConfState) configuration {
	return configuration{Voters: sortedCopy(cs.Voters), Learners: sortedCopy(cs.Learners), Outgoing: sortedCopy(cs.VotersOutgoing)}
}

// confState is our configuration as etcd's ConfState; a joint one always auto-leaves (ConfChangeTransitionAuto).
func (c configuration) confState() pb.ConfState {
	return pb.ConfState{
		Voters: append([]uint64(nil), c.Voters...), Learners: append([]uint64(nil), c.Learners...),
		VotersOutgoing: append([]uint64(nil), c.Outgoing...), AutoLeave: c.joint(),
	}
}

// nextConfiguration is core/configuration.ts's nextConfiguration: the configuration a request leads to from a
// simple configuration, or an error saying why it cannot be applied. One change gives a simple configuration (it
// alters the voters by at most one node); more give a joint one with C_old = the current voters. This is also
// what etcd's ConfChangeTransitionAuto does with the same changes (ConfChangeV2.EnterJoint).
func nextConfiguration(current configuration, request confChangeRequest) (configuration, error) {
	if current.joint() {
		return configuration{}, fmt.Errorf("the configuration is joint: it must be left before another change")
	}
	if len(request.Changes) == 0 {
		return configuration{}, fmt.Errorf("a configuration change needs at least one change")
	}
	voters := map[uint64]bool{}
	learners := map[uint64]bool{}
	for _, v := range current.Voters {
		voters[v] = true
	}
	for _, l := range current.Learners {
		learners[l] = true
	}
	for _, ch := range request.Changes {
		node := ch.Node
		if node == 0 {
			return configuration{}, fmt.Errorf("node ids are integers >= 1")
		}
		switch ch.Type {
		case "add-voter", "add-learner":
			if voters[node] || learners[node] {
				return configuration{}, fmt.Errorf("node %d is already a member", node)
			}
			if ch.Type == "add-voter" {
				voters[node] = true
			} else {
				learners[node] = true
			}
		case "promote":
			if !learners[node] {
				return configuration{}, fmt.Errorf("node %d is not a learner", node)
			}
			delete(learners, node)
			voters[node] = true
		case "remove":
			if !voters[node] && !learners[node] {
				return configuration{}, fmt.Errorf("node %d is not a member", node)
			}
			delete(voters, node)
			delete(learners, node)
		default:
			return configuration{}, fmt.Errorf("unknown change type %q", ch.Type)
		}
	}
	if len(voters) == 0 {
		return configuration{}, fmt.Errorf("the change would leave no voter")
	}
	next := configuration{Voters: keys(voters), Learners: keys(learners), Outgoing: []uint64{}}
	if len(request.Changes) > 1 {
		next.Outgoing = append([]uint64{}, current.Voters...)
	}
	return next, nil
}

func keys(set map[uint64]bool) []uint64 {
	out := make([]uint64, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	return sortedCopy(out)
}

// confChangesTo is etcd's delta from the simple configuration `from` to the members of `to` (its voters and
// learners; `to.Outgoing` says only whether the change enters a joint configuration). Removals come last, as
// etcd's own tests write them; the order does not matter to etcd's Changer.
func confChangesTo(from, to configuration) []pb.ConfChangeSingle {
	var changes []pb.ConfChangeSingle
	for _, v := range to.Voters {
		if !contains64(from.Voters, v) {
			changes = append(changes, pb.ConfChangeSingle{Type: pb.ConfChangeAddNode, NodeID: v})
		}
	}
	for _, l := range to.Learners {
		if !contains64(from.Learners, l) {
			changes = append(changes, pb.ConfChangeSingle{Type: pb.ConfChangeAddLearnerNode, NodeID: l})
		}
	}
	for _, id := range append(append([]uint64{}, from.Voters...), from.Learners...) {
		// C_old's voters stay in to.Outgoing while joint: what counts is whether C_new keeps them.
		if !contains64(to.Voters, id) && !contains64(to.Learners, id) {
			changes = append(changes, pb.ConfChangeSingle{Type: pb.ConfChangeRemoveNode, NodeID: id})
		}
	}
	return changes
}

// confChangeTo is the ConfChangeV2 that takes etcd from `from` to `to`: an empty one leaves a joint configuration
// (what etcd's auto-leave appends); a joint `to` is entered explicitly with auto-leave (JointImplicit), since one
// change alone would otherwise be simple under ConfChangeTransitionAuto; anything else is etcd's usual Auto.
// Context carries our whole configuration, so any node can read what the entry leads to from the entry alone.
func confChangeTo(from, to configuration) pb.ConfChangeV2 {
	cc := pb.ConfChangeV2{Context: []byte(to.text())}
	switch {
	case from.joint():
		// Only C_new can follow a joint configuration: leave it.
	case to.joint():
		cc.Transition = pb.ConfChangeTransitionJointImplicit
		cc.Changes = confChangesTo(from, to)
	default:
		cc.Changes = confChangesTo(from, to)
	}
	return cc
}

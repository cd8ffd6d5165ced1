package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// The JSON shapes of docs/protocol.md, and their conversions to and from etcd's raftpb types.

type wireHardState struct {
	Term   uint64 `json:"term"`
	Vote   uint64 `json:"vote"`
	Commit uint64 `json:"commit"`
}

type wireEntry struct {
	Term  uint64    `json:"term"`
	Index uint64    `json:"index"`
	Data  entryData `json:"data"`
	// Type is etcd's entry type, only in messages and only when not EntryNormal: a MsgApp carries etcd's own
	// entries, configuration changes as the protobuf etcd wrote. What the host stores (a Ready's entries,
	// committed entries, storage) carries no type: configuration entries there are Seaworthy's `conf:` text.
	Type string `json:"type,omitempty"`
}

// entryData is an entry's bytes, as standard base64 with padding in JSON (contract entryData "base64"), so
// etcd's bytes travel unchanged, protobuf or not. Empty data is "" (never null): the election no-op.
type entryData []byte

func (d entryData) MarshalJSON() ([]byte, error) {
	return json.Marshal(base64.StdEncoding.EncodeToString(d))
}

func (d *entryData) UnmarshalJSON(b []byte) error {
	var text string
	if err := json.Unmarshal(b, &text); err != nil {
		return err
	}
	bytes, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return fmt.Errorf("entry data is not standard base64: %v", err)
	}
	*d = bytes
	return nil
}

type wireStorage struct {
	HardState wireHardState `json:"hardState"`
	Entries   []wireEntry   `json:"entries"`
}

type wireSoftState struct {
	Role   string `json:"role"`
	Leader uint64 `json:"leader"`
}

type wireReadState struct {
	RequestID uint64 `json:"requestId"`
	Index     uint64 `json:"index"`
}

// wireReady is a Ready as the host reads it (docs/contract.md, "The Ready"). The three arrays are required,
// so they are never nil.
type wireReady struct {
	SoftState        *wireSoftState  `json:"softState,omitempty"`
	HardState        *wireHardState  `json:"hardState,omitempty"`
	Entries          []wireEntry     `json:"entries"`
	Messages         []wireMessage   `json:"messages"`
	CommittedEntries []wireEntry     `json:"committedEntries"`
	ReadStates       []wireReadState `json:"readStates,omitempty"`
}

// wireMessage is a raftpb.Message in readable JSON: the host needs only type, from, to and term; the other
// fields travel untouched and make traces legible. Snapshots never travel: the adapter never compacts its log,
// so etcd never needs to send one.
type wireMessage struct {
	Type       string      `json:"type"`
	From       uint64      `json:"from"`
	To         uint64      `json:"to"`
	Term       uint64      `json:"term"`
	LogTerm    uint64      `json:"logTerm,omitempty"`
	Index      uint64      `json:"index,omitempty"`
	Commit     uint64      `json:"commit,omitempty"`
	Entries    []wireEntry `json:"entries,omitempty"`
	Reject     bool        `json:"reject"`
	RejectHint uint64      `json:"rejectHint,omitempty"`
	Context    string      `json:"context,omitempty"`
}

// messageAnnotations tells the host what etcd's messages mean (docs/contract.md, "Message annotations"), so it
// can judge each against the sender's disk as it is sent: a granted MsgVoteResp needs the vote durable, and a
// successful MsgAppResp claims a durable log up to its index (etcd answers with the last index it appended,
// or its commit index for an append it already has). PreVote messages carry the next term, so they are exempt
// from the term check. This is why `reject` travels even when false.
var messageAnnotations = map[string]interface{}{
	"preVote":   []map[string]string{{"type": pb.MsgPreVote.String()}, {"type": pb.MsgPreVoteResp.String()}},
	"voteGrant": map[string]interface{}{"type": pb.MsgVoteResp.String(), "where": map[string]bool{"reject": false}},
	"appendAck": map[string]interface{}{"type": pb.MsgAppResp.String(), "where": map[string]bool{"reject": false}, "matchField": "index"},
}

// entryToWire is an entry as the host stores it: a configuration change becomes Seaworthy's configuration
// entry, `conf:` + the whole configuration it leads to (recorded in n.confs when the entry was handed out), as
// docs/contract.md § For etcd users says; anything else keeps etcd's bytes.
func (n *node) entryToWire(e pb.Entry) (wireEntry, error) {
	if e.Type == pb.EntryNormal {
		return wireEntry{Term: e.Term, Index: e.Index, Data: entryData(e.Data)}, nil
	}
	if !n.opts.membership {
		return wireEntry{}, fmt.Errorf("entry %d has type %s, but this adapter runs without -membership", e.Index, e.Type)
	}
	c := n.confs.at(e.Index)
	if c == nil || !containsIndex(n.confs.indexes, e.Index) {
		return wireEntry{}, fmt.Errorf("configuration entry %d was never recorded", e.Index)
	}
	return wireEntry{Term: e.Term, Index: e.Index, Data: entryData(c.text())}, nil
}

func containsIndex(indexes []uint64, index uint64) bool {
	for _, i := range indexes {
		if i == index {
			return true
		}
	}
	return false
}

func (n *node) entriesToWire(es []pb.Entry) ([]wireEntry, error) {
	out := make([]wireEntry, 0, len(es))
	for _, e := range es {
		w, err := n.entryToWire(e)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// normalEntry is a stored or sent entry of type EntryNormal. Empty data becomes nil, as etcd's own election
// no-op has.
func normalEntry(w wireEntry) pb.Entry {
	var data []byte
	if len(w.Data) > 0 {
		data = []byte(w.Data)
	}
	return pb.Entry{Term: w.Term, Index: w.Index, Type: pb.EntryNormal, Data: data}
}

// messageEntriesToWire keeps etcd's entries as they are, with their type when it is not EntryNormal.
func messageEntriesToWire(es []pb.Entry) []wireEntry {
	if len(es) == 0 {
		return nil
	}
	out := make([]wireEntry, 0, len(es))
	for _, e := range es {
		w := wireEntry{Term: e.Term, Index: e.Index, Data: entryData(e.Data)}
		if e.Type != pb.EntryNormal {
			w.Type = e.Type.String()
		}
		out = append(out, w)
	}
	return out
}

func messageEntriesFromWire(ws []wireEntry) ([]pb.Entry, error) {
	out := make([]pb.Entry, 0, len(ws))
	for _, w := range ws {
		e := normalEntry(w)
		if w.Type != "" {
			typ, ok := pb.EntryType_value[w.Type]
			if !ok {
				return nil, fmt.Errorf("unknown entry type %q", w.Type)
			}
			e.Type = pb.EntryType(typ)
		}
		out = append(out, e)
	}
	return out, nil
}

func messageToWire(m pb.Message) (wireMessage, error) {
	if !raft.IsEmptySnap(m.Snapshot) {
		return wireMessage{}, fmt.Errorf("%s to %d carries a snapshot, which this adapter never produces", m.Type, m.To)
	}
	return wireMessage{
		Type: m.Type.String(), From: m.From, To: m.To, Term: m.Term, LogTerm: m.LogTerm, Index: m.Index,
		Commit: m.Commit, Entries: messageEntriesToWire(m.Entries), Reject: m.Reject, RejectHint: m.RejectHint,
		Context: string(m.Context),
	}, nil
}

func messageFromWire(w wireMessage) (pb.Message, error) {
	typ, ok := pb.MessageType_value[w.Type]
	if !ok {
		return pb.Message{}, fmt.Errorf("unknown message type %q", w.Type)
	}
	var context []byte
	if w.Context != "" {
		context = []byte(w.Context)
	}
	entries, err := messageEntriesFromWire(w.Entries)
	if err != nil {
		return pb.Message{}, err
	}
	return pb.Message{
		Type: pb.MessageType(typ), From: w.From, To: w.To, Term: w.Term, LogTerm: w.LogTerm, Index: w.Index,
		Commit: w.Commit, Entries: entries, Reject: w.Reject, RejectHint: w.RejectHint,
		Context: context,
	}, nil
}

func roleToWire(s raft.StateType) string {
	switch s {
	case raft.StateFollower:
		return "follower"
	case raft.StatePreCandidate:
		return "pre-candidate"
	case raft.StateCandidate:
		return "candidate"
	case raft.StateLeader:
		return "leader"
	}
	panic(fmt.Sprintf("unknown raft state %d", s))
}

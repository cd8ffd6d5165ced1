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

func entryToWire(e pb.Entry) (wireEntry, error) {
	// Only normal entries exist: the adapter never proposes configuration changes (no membership capability),
	// and the contract's entry has no type field to carry one back; their bytes alone would travel fine.
	if e.Type != pb.EntryNormal {
		return wireEntry{}, fmt.Errorf("entry %d has type %s; the contract's entries carry no type, so only EntryNormal can travel", e.Index, e.Type)
	}
	return wireEntry{Term: e.Term, Index: e.Index, Data: entryData(e.Data)}, nil
}

func entriesToWire(es []pb.Entry) ([]wireEntry, error) {
	out := make([]wireEntry, 0, len(es))
	for _, e := range es {
		w, err := entryToWire(e)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

func entriesFromWire(ws []wireEntry) []pb.Entry {
	out := make([]pb.Entry, 0, len(ws))
	for _, w := range ws {
		// Empty data becomes nil, as etcd's own election no-op has.
		var data []byte
		if len(w.Data) > 0 {
			data = []byte(w.Data)
		}
		out = append(out, pb.Entry{Term: w.Term, Index: w.Index, Type: pb.EntryNormal, Data: data})
	}
	return out
}

func messageToWire(m pb.Message) (wireMessage, error) {
	if !raft.IsEmptySnap(m.Snapshot) {
		return wireMessage{}, fmt.Errorf("%s to %d carries a snapshot, which this adapter never produces", m.Type, m.To)
	}
	entries, err := entriesToWire(m.Entries)
	if err != nil {
		return wireMessage{}, err
	}
	if len(entries) == 0 {
		entries = nil
	}
	return wireMessage{
		Type: m.Type.String(), From: m.From, To: m.To, Term: m.Term, LogTerm: m.LogTerm, Index: m.Index,
		Commit: m.Commit, Entries: entries, Reject: m.Reject, RejectHint: m.RejectHint, Context: string(m.Context),
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
	return pb.Message{
		Type: pb.MessageType(typ), From: w.From, To: w.To, Term: w.Term, LogTerm: w.LogTerm, Index: w.Index,
		Commit: w.Commit, Entries: entriesFromWire(w.Entries), Reject: w.Reject, RejectHint: w.RejectHint,
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

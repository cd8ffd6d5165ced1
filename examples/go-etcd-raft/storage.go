package main

import (
	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// hostStorage is etcd's MemoryStorage mirroring what the host has persisted, plus the configuration etcd starts
// in. Seaworthy's clusters start static (peers 1..n), so the bootstrap configuration is not in the log: etcd's
// usual bootstrap (RawNode.Bootstrap) would append configuration-change entries that the host would then have to
// store as data. InitialState reports it directly instead, as etcd's own tests do; with membership changes, it
// reports the configuration as of the applied index (etcd's application keeps it with its applied state, and
// hands etcd only the changes after that again, as committed entries to apply).
type hostStorage struct {
	*raft.MemoryStorage
	confState pb.ConfState
}

func newHostStorage(entries []pb.Entry, stored wireStorage, applied uint64, confState pb.ConfState) (*hostStorage, error) {
	ms := raft.NewMemoryStorage()
	if err := ms.Append(entries); err != nil {
		return nil, err
	}
	hs := pb.HardState{Term: stored.HardState.Term, Vote: stored.HardState.Vote, Commit: stored.HardState.Commit}
	// The contract lets the stored commit run past the stored log (a crash can tear entries off after the hard
	// state was synced); etcd panics on that in loadState, so clamp as docs/contract.md advises.
	if last, _ := ms.LastIndex(); hs.Commit > last {
		hs.Commit = last
	}
	// The other way round, the host's durable state machine may have applied beyond the stored commit: a
	// commit-only hard state is written without an fsync (MustSync) and a crash can lose it, while the state
	// machine's own fsync kept what it applied. Those entries were committed, and etcd panics when Applied is
	// beyond its commit (raftLog.appliedTo), so raise the commit to them.
	if applied > hs.Commit {
		hs.Commit = applied
	}
	if err := ms.SetHardState(hs); err != nil {
		return nil, err
	}
	return &hostStorage{MemoryStorage: ms, confState: confState}, nil
}

// InitialState implements raft.Storage.
func (s *hostStorage) InitialState() (pb.HardState, pb.ConfState, error) {
	hs, _, err := s.MemoryStorage.InitialState()
	return hs, s.confState, err
}

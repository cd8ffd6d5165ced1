package main

import (
	"math/rand"
	"sync"
	"unsafe"

	_ "go.etcd.io/etcd/raft" // the package whose generator we reseed
)

// etcdLockedRand mirrors the layout of raft.lockedRand in etcd 3.4 (raft/raft.go): a mutex and a *rand.Rand.
// Keep the two in step if you build against another etcd version.
type etcdLockedRand struct {
	mu   sync.Mutex
	rand *rand.Rand
}

// etcdGlobalRand is etcd's package-global generator of randomized election timeouts (a *lockedRand), seeded
// from the wall clock when the package loads. etcd offers no way to inject it, so we bind to it by name. It is
// declared as an unsafe.Pointer, not as *etcdLockedRand, because the linker cannot describe a local type for a
// symbol another package defines.
//
//go:linkname etcdGlobalRand go.etcd.io/etcd/raft.globalRand
var etcdGlobalRand unsafe.Pointer

// reseedEtcd makes etcd's election timeouts a function of the protocol's seed, so that the same seed gives the
// same run (docs/protocol.md, "Determinism"). Without it, --verify-determinism flags the adapter.
func reseedEtcd(seed int64) {
	global := (*etcdLockedRand)(etcdGlobalRand)
	global.mu.Lock()
	defer global.mu.Unlock()
	global.rand = rand.New(rand.NewSource(seed))
}

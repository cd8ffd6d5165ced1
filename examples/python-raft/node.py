#!/usr/bin/env python3
"""A minimal, correct Raft node for Seaworthy's process protocol (docs/protocol.md). Python 3 stdlib only.

    npm run seaworthy -- run --impl-cmd "python3 examples/python-raft/node.py"
    npm run seaworthy -- run --impl-cmd "python3 examples/python-raft/node.py --bug double-vote"   # caught
    npm run seaworthy -- run --impl-cmd "python3 examples/python-raft/node.py --snapshots" --scenario snapshot-heavy

One process is one node incarnation: the harness starts it, sends `create` with what the node's disk kept,
then drives it one request at a time over stdin, and reads exactly one JSON reply line per request on stdout.
It speaks the compact form (protocol 2): every reply to an input or an `advance` carries the next Ready, so the
harness needs no separate `ready` request, and says how many of the next ticks will change nothing it reports
(`idleTicks`), so the harness can send those later, in front of its next request; `--protocol 1` answers in the
lockstep form instead. It also predicts its replies to its next heartbeats (`predictions()`, `--no-predict` does
not), so the harness need not wait for those either, and names the runs of its log the harness already holds by
reference (`"$entries"`, `--no-entry-refs` writes them out). The harness may write several requests at once: they
are answered in order, in one write.
It also declares a fork server (`--no-fork` does not): the harness starts it once more as a server that forks a
child per node incarnation, so a restart costs a fork instead of an interpreter's boot (docs/protocol.md).
Logging goes to stderr (stdout is the protocol). Randomness comes only from the `seed` in `create`; the node
never reads a clock.

Raft: leader election with the up-to-date check (Raft 5.4.1), log replication with the consistency check
and truncation of conflicting suffixes (5.3), the commit rule for entries of the current term only (5.4.2),
the election no-op (8), and persistence through the Ready. No PreVote, CheckQuorum or ReadIndex. With
`--snapshots` it declares the `snapshot` capability (docs/protocol.md, Snapshots): it drops its log on `compact`,
sends the snapshot whole to a follower that needs dropped entries, installs one only when newer than its commit
(keeping a matching suffix, Raft 7), and restarts from the stored snapshot plus the log after it.
"""
import json
import os
import random
import signal
import sys

BATCH_MAX = 64  # most entries one append carries
PREDICTED_ENTRIES_MAX = 8  # a longer append, sent again, is not worth predicting: the prediction costs its size


class Node:
    def __init__(self, req, double_vote):
        storage = req["storage"]
        snapshot = storage.get("snapshot")
        # The snapshot stands for the log up to its index (Raft 7); `log` holds what follows it.
        # Invariant: log[i]["index"] == snap_index + i + 1.
        self.snapshot = snapshot
        self.snap_index = snapshot["index"] if snapshot else 0
        self.snap_term = snapshot["term"] if snapshot else 0
        self.snapshot_to_persist = None  # an installed snapshot the next Ready hands the host
        self.id = req["id"]
        self.peers = req["peers"]
        self.others = [p for p in self.peers if p != self.id]
        self.quorum = len(self.peers) // 2 + 1
        self.rng = random.Random(req["seed"])  # a private, seeded stream: never the global random
        self.election_ticks = req["electionTicks"]
        self.heartbeat_ticks = req["heartbeatTicks"]
        self.double_vote = double_vote
        hs = req["storage"]["hardState"]
        # Persistent state (Figure 2) as the disk kept it.
        self.term = hs["term"]
        self.vote = hs["vote"]
        self.log = list(storage["entries"])
        self.commit = max(self.snap_index, min(hs["commit"], self.last_index()))
        # Volatile state; applied starts at 0 because the host's state machine restarts empty (or at the
        # snapshot's index: the host restored its state machine from it).
        self.role = "follower"
        self.leader = 0
        self.applied = self.snap_index
        self.election_elapsed = 0
        self.heartbeat_elapsed = 0
        self.timeout = self.random_timeout()
        self.votes = set()
        self.next_index = {}
        self.match_index = {}
        # What the next Ready carries.
        self.first_unstable = self.last_index() + 1
        self.outbox = []
        self.reported = {"term": hs["term"], "vote": hs["vote"], "commit": hs["commit"], "role": "follower", "leader": 0}
        self.in_flight = None
        self.in_flight_applied = 0  # the last index the Ready in flight applies (0: none)
        self.last_append = None  # the last append taken from the leader: predicted again (a duplicate, a resend)

    # ---- the contract ----------------------------------------------------------------------------

    def tick(self):
        if self.role == "leader":
            self.heartbeat_elapsed += 1
            if self.heartbeat_elapsed >= self.heartbeat_ticks:
                self.heartbeat_elapsed = 0
                for to in self.others:
                    self.send_append(to)
            return
        self.election_elapsed += 1
        if self.election_elapsed >= self.timeout:
            self.campaign()

    def step(self, m):
        if m["term"] > self.term:
            self.become_follower(m["term"], m["from"] if m["type"] in ("append", "snapshot") else 0)
        if m["term"] < self.term:
            # A stale sender: answer with our term so it steps down; stale responses are dropped.
            if m["type"] == "vote":
                self.send({"type": "vote-resp", "to": m["from"], "granted": False})
            elif m["type"] in ("append", "snapshot"):
                self.send({"type": "append-resp", "to": m["from"], "success": False, "hint": 0})
            return
        handler = {"vote": self.on_vote, "vote-resp": self.on_vote_resp, "append": self.on_append, "append-resp": self.on_append_resp,
                   "snapshot": self.on_snapshot}.get(m["type"])
        if handler is None:
            raise ValueError("unknown message type %r" % m["type"])
        handler(m)

    def propose(self, data):
        if self.role != "leader":
            return {"accepted": False, "leaderHint": self.leader}
        entry = self.append(data)
        for to in self.others:
            self.send_append(to)
        self.maybe_commit()
        return {"accepted": True, "index": entry["index"], "term": entry["term"]}

    def ready(self):
        r = self.reported
        hard_changed = self.term != r["term"] or self.vote != r["vote"] or self.commit != r["commit"]
        soft_changed = self.role != r["role"] or self.leader != r["leader"]
        entries = self.log[self.first_unstable - 1 - self.snap_index:]
        committed = self.log[self.applied - self.snap_index:self.commit - self.snap_index]
        snapshot = self.snapshot_to_persist
        if not (hard_changed or soft_changed or entries or self.outbox or committed or snapshot):
            return None
        ready = {"entries": entries, "messages": self.outbox, "committedEntries": wire_entries(committed)}
        if snapshot:
            ready["snapshot"] = snapshot
            self.snapshot_to_persist = None
        if soft_changed:
            ready["softState"] = {"role": self.role, "leader": self.leader}
        if hard_changed:
            ready["hardState"] = {"term": self.term, "vote": self.vote, "commit": self.commit}
        self.outbox = []
        self.in_flight = ready
        self.in_flight_applied = committed[-1]["index"] if committed else 0
        return ready

    def advance(self):
        done = self.in_flight
        if done is None:
            raise RuntimeError("advance without a Ready")
        if "hardState" in done:
            self.reported.update(done["hardState"])
        if "softState" in done:
            self.reported.update(done["softState"])
        if done["entries"]:
            self.first_unstable = done["entries"][-1]["index"] + 1
        if self.in_flight_applied:
            self.applied = self.in_flight_applied
        self.in_flight = None

    def idle_ticks(self):
        """How many of the next ticks only count: the one after them sends heartbeats or starts an election."""
        if self.role == "leader":
            return self.heartbeat_ticks - self.heartbeat_elapsed - 1
        return self.timeout - self.election_elapsed - 1

    def idle_messages(self):
        """Messages whose step changes nothing here (the harness need not wait for them): responses of an older
        term, vote responses unless campaigning, append responses unless leading, and, for a leader, an
        acknowledgement of what a follower was already known to hold (most heartbeat replies)."""
        stale = {"max": self.term - 1}
        patterns = [{"type": "vote-resp", "term": stale if self.role == "candidate" else {"max": self.term}}]
        if self.role != "leader":
            patterns.append({"type": "append-resp", "term": {"max": self.term}})
            return patterns
        patterns.append({"type": "append-resp", "term": stale})
        for p in self.others:
            patterns.append({"type": "append-resp", "from": p, "term": self.term, "success": True,
                             "matchIndex": {"max": self.match_index.get(p, 0)}})
        return patterns

    def predictions(self):
        """What this node will answer to the inputs it expects next (docs/protocol.md, The compact form, change 5),
        or None: a leader's next heartbeat tick, and a follower's step of its leader's next heartbeat, of the last
        append sent again, or of the heartbeat that commits everything it holds. Each predicted Ready holds once the
        Ready in flight is advanced; after a heartbeat or an append sent again the state is the same but for the
        timers, so the same inputs are predicted again ("same")."""
        if self.role == "leader" and self.others:
            heartbeat = {"entries": [], "messages": self.heartbeats(), "committedEntries": []}
            # A heartbeat changes nothing but the heartbeat timer: the next one is the same ("same").
            then = {"idleAfterAdvance": True, "idleTicks": self.heartbeat_ticks - 1, "idleMessages": self.idle_messages(),
                    "predictions": "same"}
            return {"inputs": [{"request": {"type": "tick"}, "ready": heartbeat}], "then": then}
        if self.role != "follower" or self.leader == 0:
            return None
        # Each answered append resets the election timer to a timeout drawn then; any is at least electionTicks, so
        # promising electionTicks - 1 quiet ticks after it holds whatever is drawn, and lets the same predictions
        # stand for the next heartbeat too ("same"). A silent leader costs one tick more a round trip for it. No
        # idle messages: a follower's are stale responses, about one a seed, not worth their bytes in every reply.
        then = {"idleAfterAdvance": True, "idleTicks": self.election_ticks - 1, "predictions": "same"}
        inputs = [self.predicted_step(m) for m in self.expected_appends()]
        committing = self.predicted_commit()
        if committing is not None:
            # The heartbeat that raises the commit changes more than the timer: after it, the leader's heartbeats
            # carry that commit, and are acknowledged as before (a `then` of its own).
            committed = committing["request"]["message"]
            committing["then"] = dict(then, predictions={"inputs": [self.predicted_step(committed)], "then": then})
            inputs.append(committing)
        return {"inputs": inputs, "then": then}

    def heartbeats(self):
        """The messages of this leader's next heartbeat, as tick() will send them."""
        outbox, self.outbox = self.outbox, []
        for to in self.others:
            self.send_append(to)
        messages, self.outbox = self.outbox, outbox
        return messages

    def expected_appends(self):
        """Appends whose step only resets the election timer and is acknowledged: the leader's heartbeat to a
        follower as up to date as this one, and the last append taken, sent again (all its entries held, its
        commit reached)."""
        last = self.last_index()
        heartbeat = {"from": self.leader, "term": self.term, "type": "append", "to": self.id, "prevIndex": last,
                     "prevTerm": self.last_term(), "entries": [], "commit": self.commit}
        expected = [heartbeat]
        m = self.last_append
        if m is not None and m != heartbeat and m["from"] == self.leader and m["term"] == self.term \
                and len(m["entries"]) <= PREDICTED_ENTRIES_MAX and self.snap_index <= m["prevIndex"] <= last \
                and self.term_at(m["prevIndex"]) == m["prevTerm"] and all(self.term_at(e["index"]) == e["term"] for e in m["entries"]) \
                and min(m["commit"], m["prevIndex"] + len(m["entries"])) <= self.commit:
            expected.append(m)
        return expected

    def predicted_step(self, m):
        ack = {"from": self.id, "term": self.term, "type": "append-resp", "to": m["from"], "success": True,
               "matchIndex": m["prevIndex"] + len(m["entries"])}
        return {"request": {"type": "step", "message": wire_message(m)}, "ready": {"entries": [], "messages": [ack], "committedEntries": []}}

    def predicted_commit(self):
        """The leader's heartbeat once it has committed everything this follower holds, or None when all it holds is
        committed. It is the commonest append after one that carried entries (the leader sends it as soon as a
        quorum has acknowledged them), and it only raises the commit to the last index: its Ready hands out the
        newly committed entries and the new hard state with the acknowledgement. Holds once the Ready in flight is
        advanced (everything committed so far then applied)."""
        last = self.last_index()
        if last <= self.commit:
            return None
        m = {"from": self.leader, "term": self.term, "type": "append", "to": self.id, "prevIndex": last,
             "prevTerm": self.last_term(), "entries": [], "commit": last}
        ack = {"from": self.id, "term": self.term, "type": "append-resp", "to": self.leader, "success": True, "matchIndex": last}
        ready = {"entries": [], "messages": [ack], "committedEntries": wire_entries(self.log[self.commit - self.snap_index:last - self.snap_index]),
                 "hardState": {"term": self.term, "vote": self.vote, "commit": last}}
        return {"request": {"type": "step", "message": m}, "ready": ready}

    def compact(self, snapshot):
        # The host snapshotted its state machine at an applied index: drop the log up to it (Raft 7).
        self.log = self.log[snapshot["index"] - self.snap_index:]
        self.snapshot = snapshot
        self.snap_index = snapshot["index"]
        self.snap_term = snapshot["term"]

    def status(self):
        return {"id": self.id, "term": self.term, "role": self.role, "leader": self.leader,
                "commit": self.commit, "applied": self.applied, "lastIndex": self.last_index()}

    # ---- elections ---------------------------------------------------------------------------------

    def campaign(self):
        self.term += 1
        self.vote = self.id  # persisted by the Ready that carries the vote requests
        self.role = "candidate"
        self.leader = 0
        self.votes = {self.id}
        self.reset_election_timer()
        if len(self.votes) >= self.quorum:
            self.become_leader()
            return
        for to in self.others:
            self.send({"type": "vote", "to": to, "lastIndex": self.last_index(), "lastTerm": self.last_term()})

    def on_vote(self, m):
        up_to_date = m["lastTerm"] > self.last_term() or (m["lastTerm"] == self.last_term() and m["lastIndex"] >= self.last_index())
        # The planted bug: a follower grants a second candidate in the same term.
        free = self.vote in (0, m["from"]) or (self.double_vote and self.role == "follower")
        granted = free and up_to_date
        if granted:
            self.vote = m["from"]
            self.reset_election_timer()
        self.send({"type": "vote-resp", "to": m["from"], "granted": granted})

    def on_vote_resp(self, m):
        if self.role != "candidate" or not m["granted"]:
            return
        self.votes.add(m["from"])
        if len(self.votes) >= self.quorum:
            self.become_leader()

    def become_follower(self, term, leader):
        if term > self.term:
            self.term = term
            self.vote = 0
        self.role = "follower"
        self.leader = leader
        self.reset_election_timer()

    def become_leader(self):
        self.role = "leader"
        self.leader = self.id
        self.heartbeat_elapsed = 0
        for p in self.others:
            self.next_index[p] = self.last_index() + 1
            self.match_index[p] = 0
        self.append("")  # the no-op of section 8
        for to in self.others:
            self.send_append(to)
        self.maybe_commit()

    # ---- replication and commitment ----------------------------------------------------------------

    def send_append(self, to):
        prev = self.next_index.get(to, self.last_index() + 1) - 1
        if prev < self.snap_index:
            # What it needs was compacted: send the snapshot, whole (InstallSnapshot, Raft 7); a heartbeat
            # re-sends it if it was lost.
            self.send({"type": "snapshot", "to": to, "snapshot": self.snapshot})
            return
        lo = prev - self.snap_index
        self.send({"type": "append", "to": to, "prevIndex": prev, "prevTerm": self.term_at(prev),
                   "entries": wire_entries(self.log[lo:lo + BATCH_MAX]), "commit": self.commit})

    def on_append(self, m):
        self.role = "follower"
        self.leader = m["from"]
        self.reset_election_timer()
        prev = m["prevIndex"]
        if prev < self.snap_index:
            # It starts inside our snapshot, which holds only committed entries: say how far we are committed.
            self.send({"type": "append-resp", "to": m["from"], "success": True, "matchIndex": self.commit})
            return
        if prev > self.last_index():
            self.send({"type": "append-resp", "to": m["from"], "success": False, "hint": self.last_index()})
            return
        if self.term_at(prev) != m["prevTerm"]:
            conflict = self.term_at(prev)
            first = prev
            while first > self.snap_index + 1 and self.term_at(first - 1) == conflict:
                first -= 1
            self.send({"type": "append-resp", "to": m["from"], "success": False, "hint": min(first - 1, prev - 1)})
            return
        for e in m["entries"]:
            if e["index"] <= self.last_index():
                if self.term_at(e["index"]) == e["term"]:
                    continue
                if e["index"] <= self.commit:
                    raise RuntimeError("asked to overwrite committed entry %d" % e["index"])
                del self.log[e["index"] - 1 - self.snap_index:]  # truncate the conflicting suffix
                self.first_unstable = min(self.first_unstable, e["index"])
            self.log.append({"term": e["term"], "index": e["index"], "data": e["data"]})
        matched = prev + len(m["entries"])
        if m["commit"] > self.commit:
            self.commit = max(self.commit, min(m["commit"], matched))
        self.send({"type": "append-resp", "to": m["from"], "success": True, "matchIndex": matched})
        self.last_append = m

    def on_append_resp(self, m):
        if self.role != "leader":
            return
        peer = m["from"]
        match = self.match_index.get(peer, 0)
        current = self.next_index.get(peer, 1)
        # Answer only responses that tell something new: duplicates must not multiply into a message storm.
        if m["success"]:
            if m["matchIndex"] <= match:
                return
            self.match_index[peer] = m["matchIndex"]
            self.next_index[peer] = max(current, m["matchIndex"] + 1)
            self.maybe_commit()
            if self.next_index[peer] <= self.last_index():
                self.send_append(peer)
            return
        nxt = max(match + 1, min(current - 1, m["hint"] + 1))
        if nxt >= current:
            return
        self.next_index[peer] = nxt
        self.send_append(peer)

    def on_snapshot(self, m):
        self.role = "follower"
        self.leader = m["from"]
        self.reset_election_timer()
        s = m["snapshot"]
        # Only a snapshot newer than our commit brings anything; an older one would roll the state machine back.
        if s["index"] > self.commit:
            # Raft 7: keep the entries after it when we hold its last entry, else drop the whole log. The host
            # replaces its stored log by the snapshot plus the Ready's entries, so the kept ones go out again.
            keep = self.term_at(s["index"]) == s["term"]
            self.log = self.log[s["index"] - self.snap_index:] if keep else []
            self.snapshot = s
            self.snap_index = s["index"]
            self.snap_term = s["term"]
            self.commit = s["index"]
            self.applied = s["index"]
            self.first_unstable = s["index"] + 1
            self.snapshot_to_persist = s
        self.send({"type": "append-resp", "to": m["from"], "success": True, "matchIndex": self.commit})

    def maybe_commit(self):
        matches = sorted([self.last_index()] + [self.match_index.get(p, 0) for p in self.others], reverse=True)
        n = matches[self.quorum - 1]
        # Raft 5.4.2: count replicas only for an entry of the current term.
        if n > self.commit and self.term_at(n) == self.term:
            self.commit = n
            for to in self.others:
                self.send_append(to)

    # ---- helpers -----------------------------------------------------------------------------------

    def append(self, data):
        entry = {"term": self.term, "index": self.last_index() + 1, "data": data}
        self.log.append(entry)
        return entry

    def send(self, fields):
        message = {"from": self.id, "term": self.term}
        message.update(fields)
        self.outbox.append(message)

    def last_index(self):
        return self.snap_index + len(self.log)

    def last_term(self):
        return self.term_at(self.last_index())

    def term_at(self, index):
        # The snapshot's term at its index; -1 when compacted away or beyond the log.
        if index == self.snap_index:
            return self.snap_term
        if index < self.snap_index or index > self.last_index():
            return -1
        return self.log[index - self.snap_index - 1]["term"]

    def reset_election_timer(self):
        self.election_elapsed = 0
        self.timeout = self.random_timeout()

    def random_timeout(self):
        return self.election_ticks + self.rng.randrange(self.election_ticks)


def serve(double_vote, compact, snapshots, fork_server):
    node = None
    pending = b""
    while True:
        # Everything that has arrived: the harness may write several requests at once (deferred ones in front).
        chunk = os.read(0, 1 << 16)
        if not chunk:
            return
        *lines, pending = (pending + chunk).split(b"\n")
        replies = []
        last = len(lines) - 1
        for at, line in enumerate(lines):
            if at != last and node is not None and compact and handle is HANDLE and (line == TICK_LINE or line == ADVANCE_LINE):
                # A held tick or advance (docs/protocol.md, The compact form), most lines of a run: no promises to
                # give, nothing to parse, and usually the constant reply.
                replies.append(held_reply(node, line))
                continue
            request = parse(line)
            if request["type"] == "fork":
                # This process is the fork server: it only ever forks (docs/protocol.md, Fork server).
                if fork(request) == 0:
                    # The child: a fresh node process on its own pipes; the server's pending lines are not its own,
                    # and it never returns into the server's loop.
                    code = 1
                    try:
                        serve(double_vote, compact, snapshots, fork_server)
                        code = 0
                    except BaseException:
                        import traceback
                        traceback.print_exc()
                    finally:
                        sys.stderr.flush()
                        os._exit(code)
                continue
            try:
                reply = handle(request, node, double_vote, compact, snapshots, fork_server)
                if request["type"] == "create":
                    node = reply.pop("node")
                if compact and request["type"] in CARRY_READY:
                    carry_ready(reply, node, at == last)
            except Exception as error:  # a bug of ours: tell the harness, which reports an implementation error
                reply = {"type": "error", "message": "%s in %s: %s" % (type(error).__name__, request.get("type"), error)}
            # Most lines are held requests (docs/protocol.md, The compact form) whose answer is this constant.
            replies.append(IDLE_REPLY if reply == IDLE else encode(reply))
        if replies:
            write_all(("\n".join(replies) + "\n").encode())


# The JSON of every line, as cheap as the standard library makes it: a decoder and an encoder built once (json.loads
# and json.dumps with options rebuild theirs per call), compact separators, and no escaping of non-ASCII characters
# (the line is UTF-8 anyway) nor check for circular references (a reply is a tree). Together they cut the example's
# JSON time by about a third (docs/protocol.md, Cost).
DECODER = json.JSONDecoder()
encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode


def parse(line):
    """One request line (bytes) as a value; ValueError if it is not exactly one JSON value."""
    text = line.decode()
    value, end = DECODER.raw_decode(text)
    if text[end:].strip():
        raise ValueError("extra data after the request: %r" % text[end:end + 40])
    return value


def write_all(data):
    """All of `data` on stdout in one system call (a pipe takes it whole unless a signal interrupts the write)."""
    while data:
        data = data[os.write(1, data):]


TICK_LINE = b'{"type":"tick"}'
ADVANCE_LINE = b'{"type":"advance"}'


def held_reply(node, line):
    """handle() and carry_ready() for a tick or an advance that is not the last line read, in their spelling."""
    kind = "tick" if line == TICK_LINE else "advance"
    try:
        node.tick() if kind == "tick" else node.advance()
        ready = node.ready()
    except Exception as error:
        return json.dumps({"type": "error", "message": "%s in %s: %s" % (type(error).__name__, kind, error)})
    if ready is None:
        return IDLE_REPLY
    return encode({"type": "ok", "ready": ready, "idleAfterAdvance": True})


def fork(request):
    """The fork server's one request (docs/protocol.md, Fork server): a child that opens the two named pipes as
    its stdin and stdout. Everything the interpreter imported is already there, so a node (re)start costs a fork,
    not a boot. Returns 0 in the child, the child's pid in the server."""
    # The kernel reaps the children: no zombies, however many incarnations a seed restarts.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    pid = os.fork()
    if pid != 0:
        return pid
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        stdin = os.open(request["stdin"], os.O_RDONLY)
        stdout = os.open(request["stdout"], os.O_WRONLY)
    except OSError as error:
        os.write(1, (json.dumps({"type": "error", "id": request["id"], "message": str(error)}) + "\n").encode())
        os._exit(1)
    # Said on the server's stdout, which this child still holds, once both pipes are open: then the host may write.
    os.write(1, (json.dumps({"type": "forked", "id": request["id"], "pid": os.getpid()}) + "\n").encode())
    os.dup2(stdin, 0)
    os.dup2(stdout, 1)
    os.close(stdin)
    os.close(stdout)
    return 0


# Whether compact-form replies predict the next heartbeats (change 5 of the compact form); --no-predict: not.
PREDICT = True

# Whether compact-form replies name runs of the log the host already holds by reference (change 6 of the compact
# form): an append's entries and a Ready's committed entries, most of the bytes this node writes. --no-entry-refs:
# every entry written out.
ENTRY_REFS = True
REF = "$entries"


def wire_entries(entries):
    """A run of this node's own log (as the host holds it) as the node writes it in a message or a Ready: by
    reference, its first and last index (unless --no-entry-refs, or in the lockstep form); else the entries."""
    return {REF: [entries[0]["index"], entries[-1]["index"]]} if entries and ENTRY_REFS else entries


def wire_message(m):
    """A message received (its entries written out), as this node writes it in a prediction: its entries, which
    this node holds too, by reference."""
    entries = m.get("entries")
    return dict(m, entries=wire_entries(entries)) if entries and ENTRY_REFS else m


# Protocol 2: the replies to these requests carry the Ready the harness would ask for next.
CARRY_READY = ("create", "tick", "step", "propose", "advance")


# The reply to a held request that changed nothing, the commonest line by far: written without json.dumps.
IDLE = {"type": "ok", "ready": None}
IDLE_REPLY = '{"type":"ok","ready":null}'


def carry_ready(reply, node, promises=True):
    """Adds the next Ready to a compact-form reply and, with `promises`, what the harness may hold back. The
    harness reads the promises of the reply to the last request it wrote, so the replies to the requests it held
    in front of it (all but the last line read in one go) need none (docs/protocol.md)."""
    reply["ready"] = node.ready()
    if reply["ready"] is not None:
        # After advance, this node never has a new Ready until its next input: advance() only marks the
        # in-flight Ready done. Saying so lets the harness skip waiting for the advance (docs/protocol.md).
        reply["idleAfterAdvance"] = True
    if not promises:
        return
    # Ticks that will only count lets the harness skip waiting for them too, and so do messages that change
    # nothing (docs/protocol.md).
    reply["idleTicks"] = node.idle_ticks()
    reply["idleMessages"] = node.idle_messages()
    if PREDICT:
        predictions = node.predictions()
        if predictions is not None:
            reply["predictions"] = predictions


def handle(request, node, double_vote, compact, snapshots=False, fork_server=False):
    """One request, one reply (docs/protocol.md)."""
    kind = request["type"]
    if kind == "create":
        name = "python-raft" + ("+double-vote" if double_vote else "") + ("+snapshots" if snapshots else "")
        capabilities = ["snapshot"] if snapshots else []
        reply = {"type": "created", "name": name, "capabilities": capabilities, "node": Node(request, double_vote)}
        if compact:
            reply["protocol"] = 2  # the compact form (docs/protocol.md): replies carry the next Ready
            if ENTRY_REFS:
                reply["entryRefs"] = True  # runs of the log the host holds, by reference (change 6)
        if fork_server:
            reply["forkServer"] = True  # restarts are forks of a booted server (docs/protocol.md, Fork server)
        return reply
    if kind == "tick":
        node.tick()
        return {"type": "ok"}
    if kind == "step":
        node.step(request["message"])
        return {"type": "ok"}
    if kind == "propose":
        reply = {"type": "proposed"}
        reply.update(node.propose(request["data"]))
        return reply
    if kind == "ready":
        reply = {"type": "ready"}
        if compact:
            carry_ready(reply, node)
        else:
            reply["ready"] = node.ready()
        return reply
    if kind == "advance":
        node.advance()
        return {"type": "ok"}
    if kind == "status":
        return {"type": "status", "status": node.status()}
    if kind == "compact" and snapshots:
        node.compact(request["snapshot"])
        return {"type": "ok"}
    return {"type": "error", "message": "unsupported request %r" % kind}


# The example's own handler: serve() takes its shortcut for held ticks and advances only with it (a test fixture
# that wraps handle() sees every request).
HANDLE = handle

USAGE = """usage: node.py [--bug double-vote] [--protocol 1|2] [--snapshots] [--no-fork] [--no-predict] [--no-entry-refs]
  --bug double-vote  plant a bug the harness must catch
  --protocol 2       replies carry the next Ready (the default); 1: the lockstep form, a `ready` request per Ready
  --snapshots        declare the snapshot capability (compact, InstallSnapshot, restart from a snapshot)
  --no-fork          declare no fork server: the harness starts a fresh interpreter per node incarnation
  --no-predict       predict no replies (the compact form's "predictions"): every heartbeat is a round trip
  --no-entry-refs    write every entry out (no "$entries" references to the log the harness holds)"""


def parse_args(argv):
    """The flags, by hand: argparse alone costs more to import than the rest of a boot, and a crash-heavy
    seed boots a process per restart."""
    global PREDICT, ENTRY_REFS
    options = {"--bug": None, "--protocol": "2"}
    allowed = {"--bug": ("double-vote",), "--protocol": ("1", "2")}
    snapshots = False
    fork_server = True
    rest = list(argv)
    while rest:
        flag = rest.pop(0)
        if flag == "--snapshots":
            snapshots = True
            continue
        if flag == "--no-fork":
            fork_server = False
            continue
        if flag == "--no-entry-refs":
            ENTRY_REFS = False
            continue
        if flag == "--no-predict":
            PREDICT = False
            continue
        if flag not in options or not rest or rest[0] not in allowed[flag]:
            sys.exit("node.py: bad arguments %r\n%s" % (argv, USAGE))
        options[flag] = rest.pop(0)
    if options["--protocol"] != "2":
        ENTRY_REFS = False  # references are the compact form's (change 6): the lockstep form writes every entry
    return options["--bug"] == "double-vote", options["--protocol"] == "2", snapshots, fork_server


if __name__ == "__main__":
    serve(*parse_args(sys.argv[1:]))

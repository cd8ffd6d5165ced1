/* node.c: see node.h. */
#include "node.h"

#include <limits.h>
#include <raft.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* One tick is tickMs = 10 simulated ms (docs/contract.md); libraft's timers are in ms, so time runs in ms. */
#define TICK_MS 10
#define MAX_PEERS 7

/* A completion libraft is waiting for. It fires in advance(), once the Ready that carried its I/O is done. */
struct completion {
    enum { C_APPEND, C_SEND } kind;
    void *req;
};

struct node {
    struct raft raft;
    struct raft_io io;
    struct raft_fsm fsm;
    raft_id id;
    unsigned n_peers;
    raft_id peers[MAX_PEERS];
    char addresses[MAX_PEERS][4];
    uint64_t rng;   /* splitmix64 state, from create's seed */
    raft_time now_ms;
    raft_io_tick_cb tick_cb;
    raft_io_recv_cb recv_cb;
    const char *io_error; /* set by a backend call this adapter cannot serve */
    int clamp_append_ack;
    raft_term matched_term;   /* with clamp_append_ack: the term matched_index belongs to */
    raft_index matched_index; /* with clamp_append_ack: highest prevIndex + n of an append matched in it */

    /* The state as the host will store it once the pending Ready is handled. */
    raft_term term;
    raft_id vote;
#ifdef PLANTED_BUG_VOTE_NOT_PERSISTED
    /* The planted bug: a vote is reported one Ready late, so the reply granting it leaves before it is durable. */
    raft_id late_vote;
    int late_vote_pending;
#endif
    raft_index commit;
    struct stored_entry *log; /* log[i] has index i + 1 */
    size_t log_len, log_cap;
    raft_index first_unstable; /* first index the host has not been handed since it last stored it */
    int truncated;             /* truncate() since the last Ready: the host must drop its suffix too */

    /* What the last Ready reported (or the disk held), so a Ready carries only changes. */
    raft_term rep_term;
    raft_id rep_vote;
    raft_index rep_commit;
    const char *rep_role;
    raft_id rep_leader;
    raft_index applied; /* last index handed to the host in committedEntries; 0 on every start */

    json_t *outbox;
    struct completion *pending;
    size_t n_pending, cap_pending;

    /* The Ready handed out and not yet advanced. */
    int in_ready;
    size_t ready_completions;
    raft_index ready_applied;
    const char *ready_role;
    raft_id ready_leader;
};

static struct node *the_node; /* one process is one node: the address table below needs no context */

static const char *address_of(raft_id id)
{
    for (unsigned i = 0; i < the_node->n_peers; i++)
        if (the_node->peers[i] == id) return the_node->addresses[i];
    return NULL;
}

/* ---- the log mirror ---- */

static void log_push(struct node *n, raft_term term, unsigned short type, const void *buf, size_t len)
{
    struct stored_entry *e;
    if (n->log_len == n->log_cap) {
        n->log_cap = n->log_cap ? n->log_cap * 2 : 64;
        n->log = realloc(n->log, n->log_cap * sizeof *n->log);
        if (n->log == NULL) abort();
    }
    e = &n->log[n->log_len++];
    e->term = term;
    e->type = type;
    e->len = len;
    e->data = NULL;
    if (len > 0) {
        e->data = raft_malloc(len);
        if (e->data == NULL) abort();
        memcpy(e->data, buf, len);
    }
}

static void log_truncate(struct node *n, raft_index index)
{
    while (n->log_len >= index && n->log_len > 0) {
        raft_free(n->log[n->log_len - 1].data);
        n->log_len--;
    }
    if (n->first_unstable > index) n->first_unstable = index;
    n->truncated = 1;
}

static json_t *log_slice(struct node *n, raft_index from, raft_index to)
{
    json_t *arr = json_array();
    for (raft_index i = from; i <= to; i++) {
        struct stored_entry *e = &n->log[i - 1];
        char *data = wire_entry_data_encode(e->type, e->data, e->len);
        json_array_append_new(arr, json_pack("{s:I,s:I,s:s}", "term", (json_int_t)e->term, "index", (json_int_t)(i - 1),
                                             "data", data));
        free(data);
    }
    return arr;
}

static void pending_push(struct node *n, int kind, void *req)
{
    if (n->n_pending == n->cap_pending) {
        n->cap_pending = n->cap_pending ? n->cap_pending * 2 : 32;
        n->pending = realloc(n->pending, n->cap_pending * sizeof *n->pending);
        if (n->pending == NULL) abort();
    }
    n->pending[n->n_pending].kind = kind;
    n->pending[n->n_pending].req = req;
    n->n_pending++;
}

/* ---- raft_io ---- */

static struct node *node_of(struct raft_io *io) { return io->impl; }

static int io_init(struct raft_io *io, raft_id id, const char *address)
{
    (void)io, (void)id, (void)address;
    return 0;
}

static void io_close(struct raft_io *io, raft_io_close_cb cb)
{
    if (cb != NULL) cb(io);
}

/* libraft loads exactly once, in raft_start: hand it the mirror (what the host's disk kept, plus a bootstrap). */
static int io_load(struct raft_io *io, raft_term *term, raft_id *voted_for, struct raft_snapshot **snapshot,
                   raft_index *start_index, struct raft_entry *entries[], size_t *n_entries)
{
    struct node *n = node_of(io);
    size_t total = 0;
    unsigned char *batch, *cursor;
    *term = n->term;
    *voted_for = n->vote;
    *snapshot = NULL;
    *start_index = 1;
    *n_entries = n->log_len;
    *entries = NULL;
    if (n->log_len == 0) return 0;
    for (size_t i = 0; i < n->log_len; i++) total += n->log[i].len;
    *entries = raft_calloc(n->log_len, sizeof **entries);
    batch = raft_malloc(total > 0 ? total : 1);
    if (*entries == NULL || batch == NULL) abort();
    cursor = batch;
    for (size_t i = 0; i < n->log_len; i++) {
        struct raft_entry *e = &(*entries)[i];
        e->term = n->log[i].term;
        e->type = n->log[i].type;
        e->buf.base = cursor;
        e->buf.len = n->log[i].len;
        e->batch = batch;
        if (n->log[i].len > 0) memcpy(cursor, n->log[i].data, n->log[i].len);
        cursor += n->log[i].len;
    }
    return 0;
}

static int io_start(struct raft_io *io, unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv)
{
    struct node *n = node_of(io);
    (void)msecs; /* we tick every TICK_MS, more often than libraft asks; its timers compare against time() */
    n->tick_cb = tick;
    n->recv_cb = recv;
    return 0;
}

/* Never called: see push_bootstrap_entry. */
static int io_bootstrap(struct raft_io *io, const struct raft_configuration *conf)
{
    (void)conf;
    node_of(io)->io_error = "libraft called bootstrap, which this adapter does itself";
    return RAFT_CANTBOOTSTRAP;
}

static int io_recover(struct raft_io *io, const struct raft_configuration *conf)
{
    (void)conf;
    node_of(io)->io_error = "libraft called recover, which this adapter does not offer";
    return RAFT_IOERR;
}

/* set_term and set_vote are synchronous in libraft: it treats them as durable on return. They are, for what
 * leaves this node: the messages libraft sends next go into the same Ready, which the host sends only after
 * persisting that Ready's hardState (docs/contract.md, step 2 before step 4). */
static int io_set_term(struct raft_io *io, raft_term term)
{
    struct node *n = node_of(io);
    n->term = term;
    n->vote = 0;
#ifdef PLANTED_BUG_VOTE_NOT_PERSISTED
    n->late_vote_pending = 0;
#endif
    return 0;
}

static int io_set_vote(struct raft_io *io, raft_id server_id)
{
    struct node *n = node_of(io);
#ifdef PLANTED_BUG_VOTE_NOT_PERSISTED
    n->late_vote = server_id;
    n->late_vote_pending = 1;
#else
    n->vote = server_id;
#endif
    return 0;
}

static int io_send(struct raft_io *io, struct raft_io_send *req, const struct raft_message *message,
                   raft_io_send_cb cb)
{
    struct node *n = node_of(io);
    const char *err = NULL;
    /* Encoded now: libraft owns the message's memory only until the callback. */
    json_t *m = wire_message_encode(message, n->id, &err);
    if (m == NULL) {
        n->io_error = err;
        return RAFT_IOERR;
    }
    if (n->clamp_append_ack && message->type == RAFT_IO_APPEND_ENTRIES_RESULT &&
        message->append_entries_result.rejected == 0) {
        raft_index claim = message->append_entries_result.last_log_index;
        raft_index vouched = n->matched_term == n->raft.current_term ? n->matched_index : 0;
        if (claim > vouched) {
            json_object_set_new(m, "lastLogIndex", json_integer((json_int_t)vouched));
            json_object_set_new(m, "matchIndex", json_integer((json_int_t)(vouched > 0 ? vouched - 1 : 0)));
        }
    }
    json_array_append_new(n->outbox, m);
    req->cb = cb;
    pending_push(n, C_SEND, req);
    return 0;
}

static int io_append(struct raft_io *io, struct raft_io_append *req, const struct raft_entry entries[], unsigned n_entries,
                     raft_io_append_cb cb)
{
    struct node *n = node_of(io);
    for (unsigned i = 0; i < n_entries; i++)
        log_push(n, entries[i].term, entries[i].type, entries[i].buf.base, entries[i].buf.len);
    req->cb = cb;
    pending_push(n, C_APPEND, req);
    return 0;
}

static int io_truncate(struct raft_io *io, raft_index index)
{
    log_truncate(node_of(io), index);
    return 0;
}

static int io_snapshot_put(struct raft_io *io, unsigned trailing, struct raft_io_snapshot_put *req,
                           const struct raft_snapshot *snapshot, raft_io_snapshot_put_cb cb)
{
    (void)trailing, (void)req, (void)snapshot, (void)cb;
    node_of(io)->io_error = "libraft took a snapshot, which this adapter does not support (snapshot threshold)";
    return RAFT_IOERR;
}

static int io_snapshot_get(struct raft_io *io, struct raft_io_snapshot_get *req, raft_io_snapshot_get_cb cb)
{
    (void)req, (void)cb;
    node_of(io)->io_error = "libraft asked for a snapshot, which this adapter never stores";
    return RAFT_IOERR;
}

static raft_time io_time(struct raft_io *io) { return node_of(io)->now_ms; }

/* splitmix64: small, well-known, and the whole of this process's randomness. */
static uint64_t next_random(struct node *n)
{
    uint64_t z = (n->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int io_random(struct raft_io *io, int min, int max)
{
    struct node *n = node_of(io);
    if (max <= min) return min;
    return min + (int)(next_random(n) % (uint64_t)(max - min));
}

/* The host applies committed entries to its own state machine; libraft's FSM only has to accept them. */
static int fsm_apply(struct raft_fsm *fsm, const struct raft_buffer *buf, void **result)
{
    (void)fsm, (void)buf;
    *result = NULL;
    return 0;
}

static int fsm_snapshot(struct raft_fsm *fsm, struct raft_buffer *bufs[], unsigned *n_bufs)
{
    (void)fsm, (void)bufs, (void)n_bufs;
    return RAFT_IOERR; /* never reached: the snapshot threshold is out of reach */
}

static int fsm_restore(struct raft_fsm *fsm, struct raft_buffer *buf)
{
    (void)fsm, (void)buf;
    return RAFT_IOERR;
}

/* ---- create ---- */

/*
 * libraft keeps its configuration in the log: raft_bootstrap writes the initial one as entry 1 (term 1) on every
 * node, and libraft counts it as committed without replicating it. Handed to the host, that entry would be
 * applied by a node that alone stores it (commit-quorum, rightly, for an entry nobody replicated). So the entry
 * stays on this side of the boundary: every start rebuilds it from `peers` (the same bytes raft_bootstrap would
 * write, so the same entry on every node), and the host sees libraft's log from index 2 on as its index 1 on.
 * Host index = libraft index - 1, in entries, committedEntries, commits, proposals and status.
 */
static void push_bootstrap_entry(struct node *n)
{
    struct raft_configuration conf;
    struct raft_buffer buf;
    raft_configuration_init(&conf);
    for (unsigned i = 0; i < n->n_peers; i++)
        if (raft_configuration_add(&conf, n->peers[i], n->addresses[i], RAFT_VOTER) != 0) abort();
    if (raft_configuration_encode(&conf, &buf) != 0) abort();
    log_push(n, 1, RAFT_CHANGE, buf.base, buf.len);
    raft_free(buf.base);
    raft_configuration_close(&conf);
}

static int load_storage(struct node *n, json_t *storage, const char **err)
{
    json_t *hs = json_object_get(storage, "hardState"), *entries = json_object_get(storage, "entries");
    json_t *term = json_object_get(hs, "term"), *vote = json_object_get(hs, "vote"), *commit = json_object_get(hs, "commit");
    if (!json_is_integer(term) || !json_is_integer(vote) || !json_is_integer(commit) || !json_is_array(entries)) {
        *err = "create: malformed storage";
        return -1;
    }
    if (json_object_get(storage, "snapshot") != NULL && !json_is_null(json_object_get(storage, "snapshot"))) {
        *err = "create: storage holds a snapshot, which this adapter never asked for";
        return -1;
    }
    n->term = (raft_term)json_integer_value(term);
    n->vote = (raft_id)json_integer_value(vote);
    n->rep_term = n->term;
    n->rep_vote = n->vote;
    push_bootstrap_entry(n);
    if (n->term == 0) n->term = 1; /* raft_bootstrap's term: a term is never below the last entry's */
    for (size_t i = 0; i < json_array_size(entries); i++) {
        json_t *e = json_array_get(entries, i);
        const char *data = json_string_value(json_object_get(e, "data"));
        unsigned short type;
        unsigned char *bytes;
        size_t len;
        if (data == NULL || !json_is_integer(json_object_get(e, "term")) ||
            json_integer_value(json_object_get(e, "index")) != (json_int_t)(i + 1) ||
            !wire_entry_data_decode(data, &type, &bytes, &len)) {
            *err = "create: malformed stored entry";
            return -1;
        }
        log_push(n, (raft_term)json_integer_value(json_object_get(e, "term")), type, bytes, len);
        raft_free(bytes);
    }
    /* libraft keeps no commit index on disk (it relearns it from the leader); ours is only reported back,
     * clamped to the stored log (docs/contract.md § When the stored commit and the log disagree). */
    n->commit = (raft_index)json_integer_value(commit) + 1; /* libraft indexes from here on */
    if (n->commit > n->log_len) n->commit = n->log_len;
    n->rep_commit = n->commit;
    n->first_unstable = n->log_len + 1;
    n->applied = 1; /* the bootstrap entry: the host never applies it */
    return 0;
}

struct node *node_create(json_t *req, const struct node_options *options, const char **err)
{
    struct node *n = calloc(1, sizeof *n);
    json_t *peers = json_object_get(req, "peers");
    json_t *id = json_object_get(req, "id"), *seed = json_object_get(req, "seed");
    json_t *election = json_object_get(req, "electionTicks"), *heartbeat = json_object_get(req, "heartbeatTicks");
    int rv;
    if (n == NULL) abort();
    the_node = n;
    if (!json_is_integer(id) || !json_is_array(peers) || json_array_size(peers) > MAX_PEERS || !json_is_integer(seed) ||
        !json_is_integer(election) || !json_is_integer(heartbeat)) {
        *err = "create: malformed request";
        return NULL;
    }
    n->id = (raft_id)json_integer_value(id);
    n->rng = (uint64_t)json_integer_value(seed);
    n->clamp_append_ack = options->clamp_append_ack;
    n->n_peers = (unsigned)json_array_size(peers);
    for (unsigned i = 0; i < n->n_peers; i++) {
        n->peers[i] = (raft_id)json_integer_value(json_array_get(peers, i));
        snprintf(n->addresses[i], sizeof n->addresses[i], "%llu", n->peers[i]);
    }
    n->outbox = json_array();
    n->rep_role = "follower";
    if (load_storage(n, json_object_get(req, "storage"), err) != 0) return NULL;

    n->io.version = 1;
    n->io.impl = n;
    n->io.init = io_init;
    n->io.close = io_close;
    n->io.load = io_load;
    n->io.start = io_start;
    n->io.bootstrap = io_bootstrap;
    n->io.recover = io_recover;
    n->io.set_term = io_set_term;
    n->io.set_vote = io_set_vote;
    n->io.send = io_send;
    n->io.append = io_append;
    n->io.truncate = io_truncate;
    n->io.snapshot_put = io_snapshot_put;
    n->io.snapshot_get = io_snapshot_get;
    n->io.time = io_time;
    n->io.random = io_random;
    n->fsm.version = 1;
    n->fsm.apply = fsm_apply;
    n->fsm.snapshot = fsm_snapshot;
    n->fsm.restore = fsm_restore;

    if ((rv = raft_init(&n->raft, &n->io, &n->fsm, n->id, address_of(n->id))) != 0) {
        *err = "create: raft_init failed";
        return NULL;
    }
    raft_set_election_timeout(&n->raft, (unsigned)json_integer_value(election) * TICK_MS);
    raft_set_heartbeat_timeout(&n->raft, (unsigned)json_integer_value(heartbeat) * TICK_MS);
    raft_set_snapshot_threshold(&n->raft, UINT_MAX); /* no snapshots: see README, Capabilities */
    raft_set_pre_vote(&n->raft, options->pre_vote != 0);

    if ((rv = raft_start(&n->raft)) != 0) {
        *err = n->io_error ? n->io_error : "create: raft_start failed";
        return NULL;
    }
    return n;
}

/* ---- inputs ---- */

static int after_input(struct node *n, const char **err)
{
    if (n->io_error != NULL) {
        *err = n->io_error;
        return -1;
    }
    if (raft_state(&n->raft) == RAFT_UNAVAILABLE) {
        *err = raft_errmsg(&n->raft);
        return -2;
    }
    return 0;
}

int node_tick(struct node *n, const char **err)
{
    n->now_ms += TICK_MS;
    n->tick_cb(&n->io);
    return after_input(n, err);
}

int node_step(struct node *n, json_t *message, const char **err)
{
    struct raft_message m;
    raft_index prev, last;
    raft_term prev_term, term;
    if (!wire_message_decode(message, &m, address_of, err)) return -1;
    prev = m.append_entries.prev_log_index;
    prev_term = m.append_entries.prev_log_term;
    last = prev + m.append_entries.n_entries;
    term = m.append_entries.term;
    n->recv_cb(&n->io, &m); /* libraft owns m's entries from here on */
    /* An append this node now holds up to prev + n, in the term it is in: what a success reply may vouch for. */
    if (n->clamp_append_ack && m.type == RAFT_IO_APPEND_ENTRIES && term == n->raft.current_term &&
        (prev == 0 || (prev <= n->log_len && n->log[prev - 1].term == prev_term)) && last <= n->log_len) {
        if (n->matched_term != term) n->matched_index = 0;
        n->matched_term = term;
        if (last > n->matched_index) n->matched_index = last;
    }
    return after_input(n, err);
}

static void apply_done(struct raft_apply *req, int status, void *result)
{
    (void)status, (void)result;
    free(req);
}

int node_propose(struct node *n, const char *data, json_t **reply, const char **err)
{
    struct raft_apply *req;
    struct raft_buffer buf;
    unsigned short type;
    unsigned char *bytes;
    size_t len;
    raft_id leader;
    const char *leader_address;
    int rv;
    if (!wire_entry_data_decode(data, &type, &bytes, &len) || type != RAFT_COMMAND) {
        *err = "propose: data is not a command";
        return -1;
    }
    req = calloc(1, sizeof *req);
    if (req == NULL) abort();
    buf.base = bytes;
    buf.len = len;
    rv = raft_apply(&n->raft, req, &buf, 1, apply_done);
    if (rv != 0) {
        free(req);
        raft_free(bytes);
        raft_leader(&n->raft, &leader, &leader_address);
        *reply = json_pack("{s:s,s:b,s:s,s:I}", "type", "proposed", "accepted", 0, "reason", "not-leader",
                           "leaderHint", (json_int_t)(leader == n->id ? 0 : leader));
        return after_input(n, err);
    }
    /* raft_apply appended exactly this entry at the end of the leader's log. */
    *reply = json_pack("{s:s,s:b,s:I,s:I}", "type", "proposed", "accepted", 1, "index",
                       (json_int_t)(raft_last_index(&n->raft) - 1), "term", (json_int_t)n->raft.current_term);
    return after_input(n, err);
}

/* ---- the Ready ---- */

static const char *role_of(struct raft *r)
{
    switch (raft_state(r)) {
        case RAFT_LEADER: return "leader";
        case RAFT_CANDIDATE: return r->candidate_state.in_pre_vote ? "pre-candidate" : "candidate";
        default: return "follower";
    }
}

json_t *node_ready(struct node *n)
{
    struct raft *r = &n->raft;
    raft_id leader;
    const char *leader_address;
    const char *role = role_of(r);
    raft_index commit = r->commit_index > n->commit ? r->commit_index : n->commit;
    raft_index applied_to = r->last_applied;
    int hard_changed, soft_changed;
    json_t *ready;
    raft_leader(r, &leader, &leader_address);
    n->commit = commit;
    /* The host truncates only by being handed entries from the conflict index on (docs/contract.md, step 2).
     * libraft truncates and then appends in one call, so this holds; should a truncation ever stand alone,
     * hand the host the entry before it again, which drops the stored suffix after it. */
    if (n->truncated && n->first_unstable > n->log_len && n->log_len >= 2) n->first_unstable = n->log_len;
    hard_changed = n->term != n->rep_term || n->vote != n->rep_vote || commit != n->rep_commit;
    soft_changed = strcmp(role, n->rep_role) != 0 || leader != n->rep_leader;
    if (!hard_changed && !soft_changed && n->first_unstable > n->log_len && json_array_size(n->outbox) == 0 &&
        applied_to <= n->applied && n->n_pending == 0)
        return json_null();

    ready = json_object();
    json_object_set_new(ready, "entries",
                        n->first_unstable <= n->log_len ? log_slice(n, n->first_unstable, n->log_len) : json_array());
    json_object_set_new(ready, "messages", n->outbox);
    n->outbox = json_array();
    json_object_set_new(ready, "committedEntries",
                        applied_to > n->applied ? log_slice(n, n->applied + 1, applied_to) : json_array());
    if (hard_changed)
        json_object_set_new(ready, "hardState", json_pack("{s:I,s:I,s:I}", "term", (json_int_t)n->term, "vote",
                                                          (json_int_t)n->vote, "commit", (json_int_t)(commit - 1)));
    if (soft_changed)
        json_object_set_new(ready, "softState", json_pack("{s:s,s:I}", "role", role, "leader", (json_int_t)leader));
    n->in_ready = 1;
    n->ready_completions = n->n_pending;
    n->ready_applied = applied_to > n->applied ? applied_to : n->applied;
    n->ready_role = role;
    n->ready_leader = leader;
    return ready;
}

int node_advance(struct node *n, const char **err)
{
    size_t count = n->ready_completions, i;
    struct completion *done;
    if (!n->in_ready) {
        *err = "advance without a Ready";
        return -1;
    }
    n->in_ready = 0;
    n->rep_term = n->term;
    n->rep_vote = n->vote;
    n->rep_commit = n->commit;
    n->rep_role = n->ready_role;
    n->rep_leader = n->ready_leader;
    n->first_unstable = n->log_len + 1;
    n->truncated = 0;
    n->applied = n->ready_applied;
#ifdef PLANTED_BUG_VOTE_NOT_PERSISTED
    if (n->late_vote_pending) {
        n->vote = n->late_vote;
        n->late_vote_pending = 0;
    }
#endif
    /* The Ready is durable, sent and applied: complete its I/O. Completions may start new I/O, which joins the
     * next Ready; take this Ready's completions out first so those new ones stay pending. */
    done = malloc((count ? count : 1) * sizeof *done);
    if (done == NULL) abort();
    memcpy(done, n->pending, count * sizeof *done);
    memmove(n->pending, n->pending + count, (n->n_pending - count) * sizeof *n->pending);
    n->n_pending -= count;
    for (i = 0; i < count; i++) {
        if (done[i].kind == C_APPEND) {
            struct raft_io_append *req = done[i].req;
            req->cb(req, 0);
        } else {
            struct raft_io_send *req = done[i].req;
            if (req->cb != NULL) req->cb(req, 0);
        }
    }
    free(done);
    return after_input(n, err);
}

json_t *node_status(struct node *n)
{
    raft_id leader;
    const char *leader_address;
    raft_leader(&n->raft, &leader, &leader_address);
    return json_pack("{s:I,s:I,s:s,s:I,s:I,s:I,s:I}", "id", (json_int_t)n->id, "term",
                     (json_int_t)n->raft.current_term, "role", role_of(&n->raft), "leader", (json_int_t)leader,
                     "commit", (json_int_t)(n->commit - 1), "applied", (json_int_t)(n->applied - 1), "lastIndex",
                     (json_int_t)(raft_last_index(&n->raft) - 1));
}

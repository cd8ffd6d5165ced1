/* wire.c: see wire.h. Base64 is libsodium's (standard alphabet, padded: RFC 4648 §4, as the contract asks). */
#include "wire.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Prefix marking a configuration-change entry's bytes (see wire.h). */
static const unsigned char CHANGE_PREFIX[2] = {0x00, 'C'};

static char *base64_encode(const void *buf, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    if (out == NULL) abort();
    sodium_bin2base64(out, cap, buf, len, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

/* Decodes into a raft_malloc'd buffer (libraft frees entry and snapshot memory with raft_free). */
static bool base64_decode(const char *b64, unsigned char **out, size_t *len)
{
    size_t b64_len = strlen(b64);
    size_t cap = b64_len / 4 * 3 + 1;
    unsigned char *bin = raft_malloc(cap);
    const char *end = NULL;
    if (bin == NULL) abort();
    if (sodium_base642bin(bin, cap, b64, b64_len, NULL, len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64 + b64_len) {
        raft_free(bin);
        return false;
    }
    *out = bin;
    return true;
}

char *wire_entry_data_encode(unsigned short type, const void *buf, size_t len)
{
    if (type == RAFT_BARRIER) return base64_encode("", 0);
    if (type == RAFT_CHANGE) {
        unsigned char *tmp = malloc(len + sizeof CHANGE_PREFIX);
        char *out;
        if (tmp == NULL) abort();
        memcpy(tmp, CHANGE_PREFIX, sizeof CHANGE_PREFIX);
        if (len > 0) memcpy(tmp + sizeof CHANGE_PREFIX, buf, len);
        out = base64_encode(tmp, len + sizeof CHANGE_PREFIX);
        free(tmp);
        return out;
    }
    return base64_encode(buf, len);
}

bool wire_entry_data_decode(const char *b64, unsigned short *type, unsigned char **out, size_t *len)
{
    unsigned char *bin;
    size_t n;
    if (!base64_decode(b64, &bin, &n)) return false;
    if (n == 0) {
        raft_free(bin);
        *type = RAFT_BARRIER;
        *out = NULL;
        *len = 0;
    } else if (n >= sizeof CHANGE_PREFIX && memcmp(bin, CHANGE_PREFIX, sizeof CHANGE_PREFIX) == 0) {
        *type = RAFT_CHANGE;
        *len = n - sizeof CHANGE_PREFIX;
        memmove(bin, bin + sizeof CHANGE_PREFIX, *len);
        *out = bin;
    } else {
        *type = RAFT_COMMAND;
        *out = bin;
        *len = n;
    }
    return true;
}

static json_t *entries_encode(const struct raft_entry *entries, unsigned n)
{
    json_t *arr = json_array();
    for (unsigned i = 0; i < n; i++) {
        char *data = wire_entry_data_encode(entries[i].type, entries[i].buf.base, entries[i].buf.len);
        json_array_append_new(arr, json_pack("{s:I,s:s}", "term", (json_int_t)entries[i].term, "data", data));
        free(data);
    }
    return arr;
}

static json_t *configuration_encode(const struct raft_configuration *c)
{
    json_t *arr = json_array();
    for (unsigned i = 0; i < c->n; i++) {
        json_array_append_new(arr, json_pack("{s:I,s:s,s:i}", "id", (json_int_t)c->servers[i].id, "address",
                                             c->servers[i].address, "role", c->servers[i].role));
    }
    return arr;
}

json_t *wire_message_encode(const struct raft_message *m, raft_id from, const char **err)
{
    json_t *o;
    json_int_t to = (json_int_t)m->server_id, f = (json_int_t)from;
    switch (m->type) {
        case RAFT_IO_APPEND_ENTRIES: {
            const struct raft_append_entries *a = &m->append_entries;
            o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "type", "append", "from", f, "to", to, "term",
                          (json_int_t)a->term, "prevIndex", (json_int_t)a->prev_log_index, "prevTerm",
                          (json_int_t)a->prev_log_term, "commit", (json_int_t)a->leader_commit, "entries",
                          entries_encode(a->entries, a->n_entries));
            break;
        }
        case RAFT_IO_APPEND_ENTRIES_RESULT: {
            const struct raft_append_entries_result *a = &m->append_entries_result;
            /* matchIndex is lastLogIndex in the host's index space (libraft's minus the bootstrap entry, see
             * node.c): the field messageAnnotations.appendAck names, judged against the host's durable log. */
            o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "type", "append-resp", "from", f, "to", to, "term",
                          (json_int_t)a->term, "rejected", (json_int_t)a->rejected, "lastLogIndex",
                          (json_int_t)a->last_log_index, "matchIndex",
                          (json_int_t)(a->last_log_index > 0 ? a->last_log_index - 1 : 0));
            break;
        }
        case RAFT_IO_REQUEST_VOTE: {
            const struct raft_request_vote *a = &m->request_vote;
            /* Pre-vote requests get their own type so that messageAnnotations.preVote can name them. */
            o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:b}", "type", a->pre_vote ? "pre-vote" : "vote", "from", f,
                          "to", to, "term", (json_int_t)a->term, "lastLogIndex", (json_int_t)a->last_log_index,
                          "lastLogTerm", (json_int_t)a->last_log_term, "disruptLeader", a->disrupt_leader);
            break;
        }
        case RAFT_IO_REQUEST_VOTE_RESULT: {
            const struct raft_request_vote_result *a = &m->request_vote_result;
            o = json_pack("{s:s,s:I,s:I,s:I,s:b,s:i}", "type",
                          a->pre_vote == raft_tribool_true ? "pre-vote-resp" : "vote-resp", "from", f, "to", to,
                          "term", (json_int_t)a->term, "granted", a->vote_granted, "preVote", (int)a->pre_vote);
            break;
        }
        case RAFT_IO_TIMEOUT_NOW: {
            const struct raft_timeout_now *a = &m->timeout_now;
            o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "type", "timeout-now", "from", f, "to", to, "term",
                          (json_int_t)a->term, "lastLogIndex", (json_int_t)a->last_log_index, "lastLogTerm",
                          (json_int_t)a->last_log_term);
            break;
        }
        case RAFT_IO_INSTALL_SNAPSHOT: {
            const struct raft_install_snapshot *a = &m->install_snapshot;
            char *data = base64_encode(a->data.base, a->data.len);
            o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:I,s:s}", "type", "install-snapshot", "from", f, "to",
                          to, "term", (json_int_t)a->term, "lastIndex", (json_int_t)a->last_index, "lastTerm",
                          (json_int_t)a->last_term, "conf", configuration_encode(&a->conf), "confIndex",
                          (json_int_t)a->conf_index, "data", data);
            free(data);
            break;
        }
        default:
            *err = "libraft sent a message of an unknown type";
            return NULL;
    }
    if (o == NULL) *err = "could not encode a message";
    return o;
}

static bool get_u64(json_t *obj, const char *key, unsigned long long *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0) return false;
    *out = (unsigned long long)json_integer_value(v);
    return true;
}

static bool entries_decode(json_t *arr, struct raft_entry **out, unsigned *n_out)
{
    size_t n = json_array_size(arr), total = 0, i;
    unsigned char **bufs;
    unsigned char *batch, *cursor;
    struct raft_entry *entries;
    if (!json_is_array(arr)) return false;
    *n_out = (unsigned)n;
    if (n == 0) {
        *out = NULL;
        return true;
    }
    entries = raft_calloc(n, sizeof *entries);
    bufs = calloc(n, sizeof *bufs);
    if (entries == NULL || bufs == NULL) abort();
    for (i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        const char *data = json_string_value(json_object_get(e, "data"));
        unsigned long long term;
        if (data == NULL || !get_u64(e, "term", &term) ||
            !wire_entry_data_decode(data, &entries[i].type, &bufs[i], &entries[i].buf.len)) {
            for (size_t j = 0; j < i; j++) raft_free(bufs[j]);
            free(bufs);
            raft_free(entries);
            return false;
        }
        entries[i].term = term;
        total += entries[i].buf.len;
    }
    /* One batch for all the entries' bytes, as libraft's own backends deliver them: libraft frees the batch once
     * no entry of it is referenced any more. */
    batch = raft_malloc(total > 0 ? total : 1);
    if (batch == NULL) abort();
    cursor = batch;
    for (i = 0; i < n; i++) {
        if (entries[i].buf.len > 0) memcpy(cursor, bufs[i], entries[i].buf.len);
        raft_free(bufs[i]);
        entries[i].buf.base = cursor;
        entries[i].batch = batch;
        cursor += entries[i].buf.len;
    }
    free(bufs);
    *out = entries;
    return true;
}

static bool configuration_decode(json_t *arr, struct raft_configuration *c)
{
    raft_configuration_init(c);
    if (!json_is_array(arr)) return false;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *s = json_array_get(arr, i);
        unsigned long long id;
        const char *address = json_string_value(json_object_get(s, "address"));
        json_t *role = json_object_get(s, "role");
        if (!get_u64(s, "id", &id) || address == NULL || !json_is_integer(role) ||
            raft_configuration_add(c, id, address, (int)json_integer_value(role)) != 0) {
            raft_configuration_close(c);
            return false;
        }
    }
    return true;
}

bool wire_message_decode(json_t *obj, struct raft_message *m, const char *(*address_of)(raft_id), const char **err)
{
    const char *type = json_string_value(json_object_get(obj, "type"));
    unsigned long long from, term;
    memset(m, 0, sizeof *m);
    *err = "malformed message";
    if (type == NULL || !get_u64(obj, "from", &from) || !get_u64(obj, "term", &term)) return false;
    m->server_id = from;
    m->server_address = address_of(from);
    if (m->server_address == NULL) {
        *err = "message from an unknown node";
        return false;
    }
    if (strcmp(type, "append") == 0) {
        struct raft_append_entries *a = &m->append_entries;
        m->type = RAFT_IO_APPEND_ENTRIES;
        a->term = term;
        return get_u64(obj, "prevIndex", &a->prev_log_index) && get_u64(obj, "prevTerm", &a->prev_log_term) &&
               get_u64(obj, "commit", &a->leader_commit) &&
               entries_decode(json_object_get(obj, "entries"), &a->entries, &a->n_entries);
    }
    if (strcmp(type, "append-resp") == 0) {
        struct raft_append_entries_result *a = &m->append_entries_result;
        m->type = RAFT_IO_APPEND_ENTRIES_RESULT;
        a->term = term;
        return get_u64(obj, "rejected", &a->rejected) && get_u64(obj, "lastLogIndex", &a->last_log_index);
    }
    if (strcmp(type, "vote") == 0 || strcmp(type, "pre-vote") == 0) {
        struct raft_request_vote *a = &m->request_vote;
        m->type = RAFT_IO_REQUEST_VOTE;
        a->term = term;
        a->candidate_id = from;
        a->pre_vote = strcmp(type, "pre-vote") == 0;
        a->disrupt_leader = json_is_true(json_object_get(obj, "disruptLeader"));
        return get_u64(obj, "lastLogIndex", &a->last_log_index) && get_u64(obj, "lastLogTerm", &a->last_log_term);
    }
    if (strcmp(type, "vote-resp") == 0 || strcmp(type, "pre-vote-resp") == 0) {
        struct raft_request_vote_result *a = &m->request_vote_result;
        json_t *pre = json_object_get(obj, "preVote");
        m->type = RAFT_IO_REQUEST_VOTE_RESULT;
        a->term = term;
        a->vote_granted = json_is_true(json_object_get(obj, "granted"));
        if (!json_is_integer(pre)) return false;
        a->pre_vote = (raft_tribool)json_integer_value(pre);
        return true;
    }
    if (strcmp(type, "timeout-now") == 0) {
        struct raft_timeout_now *a = &m->timeout_now;
        m->type = RAFT_IO_TIMEOUT_NOW;
        a->term = term;
        return get_u64(obj, "lastLogIndex", &a->last_log_index) && get_u64(obj, "lastLogTerm", &a->last_log_term);
    }
    if (strcmp(type, "install-snapshot") == 0) {
        struct raft_install_snapshot *a = &m->install_snapshot;
        const char *data = json_string_value(json_object_get(obj, "data"));
        unsigned char *bytes;
        m->type = RAFT_IO_INSTALL_SNAPSHOT;
        a->term = term;
        if (data == NULL || !get_u64(obj, "lastIndex", &a->last_index) || !get_u64(obj, "lastTerm", &a->last_term) ||
            !get_u64(obj, "confIndex", &a->conf_index) || !configuration_decode(json_object_get(obj, "conf"), &a->conf))
            return false;
        if (!base64_decode(data, &bytes, &a->data.len)) {
            raft_configuration_close(&a->conf);
            return false;
        }
        a->data.base = bytes;
        return true;
    }
    *err = "message of an unknown type";
    return false;
}

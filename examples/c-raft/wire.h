/*
 * wire.h: the protocol's JSON shapes (docs/protocol.md) and their conversions to and from libraft's structs.
 *
 * Entry data crosses the boundary as base64 (contract version 2, entryData: 'base64'). libraft entries carry a
 * type besides their bytes, which Seaworthy's {term, index, data} has no field for, so the type is folded into
 * the bytes: a command's bytes travel unchanged (so the host recognises client commands), a barrier is the
 * empty no-op "", and a configuration change is a 0x00 'C' prefix followed by raft_configuration_encode()'s
 * bytes (a client command always starts with '{', so the prefix cannot collide).
 */
#ifndef C_RAFT_WIRE_H
#define C_RAFT_WIRE_H

#include <jansson.h>
#include <raft.h>
#include <stdbool.h>

/* One entry as the host stores it: bytes owned by us (malloc), type recovered from the bytes. */
struct stored_entry {
    raft_term term;
    unsigned short type;
    unsigned char *data; /* raft_malloc'd; NULL when len == 0 */
    size_t len;
};

/* Entry bytes and type -> the host's base64 `data` string (malloc'd, NUL-terminated). */
char *wire_entry_data_encode(unsigned short type, const void *buf, size_t len);

/* The host's base64 `data` -> type and bytes (raft_malloc'd into *out, NULL when empty). false if malformed. */
bool wire_entry_data_decode(const char *b64, unsigned short *type, unsigned char **out, size_t *len);

/*
 * A libraft message -> the protocol's message object {type, from, to, term, ...}. Returns NULL (with *err set)
 * for a message kind this adapter cannot carry.
 */
json_t *wire_message_encode(const struct raft_message *m, raft_id from, const char **err);

/*
 * The protocol's message object -> a libraft message, allocated the way libraft's own I/O backends hand
 * received messages over (entries in one raft_malloc'd batch, owned by libraft once delivered). `address`
 * must outlive the message (our static address table). Returns false with *err set when malformed.
 */
bool wire_message_decode(json_t *obj, struct raft_message *m, const char *(*address_of)(raft_id), const char **err);

#endif

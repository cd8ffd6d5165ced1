/*
 * node.h: one Seaworthy node incarnation running Canonical's libraft behind an in-memory raft_io.
 *
 * libraft is not sans-IO: it calls an I/O backend (struct raft_io) and expects asynchronous completions. This
 * backend turns each call into part of the next Ready (docs/contract.md): set_term / set_vote / append /
 * truncate become the Ready's hardState and entries, send becomes its messages, and every completion callback
 * fires only in advance(), i.e. after the host has persisted, sent and applied that Ready. Time is the number
 * of ticks (io->time), randomness a PRNG seeded from create's seed (io->random).
 */
#ifndef C_RAFT_NODE_H
#define C_RAFT_NODE_H

#include <jansson.h>

/* Options from the command line (see main.c). */
struct node_options {
    int pre_vote; /* raft_set_pre_vote */
    /* Diagnostic, not libraft's behaviour: a successful append-resp claims no more than prevIndex + n of an
     * append this node matched in its current term (README, "What Seaworthy found", item 1). */
    int clamp_append_ack;
};

/* Build the node from a `create` request. Returns NULL with *err set when the request or libraft fails. */
struct node *node_create(json_t *req, const struct node_options *options, const char **err);

/* Inputs. Each returns 0, or -1 with *err set (an adapter failure), or -2 with *err set (libraft gave up:
 * it went to RAFT_UNAVAILABLE, which is its way of reporting an internal error). */
int node_tick(struct node *n, const char **err);
int node_step(struct node *n, json_t *message, const char **err);
int node_propose(struct node *n, const char *data, json_t **reply, const char **err);

/* The next Ready as a JSON object, or json_null() when there is nothing to do. */
json_t *node_ready(struct node *n);
int node_advance(struct node *n, const char **err);
json_t *node_status(struct node *n);

#endif

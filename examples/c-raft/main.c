/*
 * c-raft: Canonical's libraft (Debian's libraft-dev 0.15) behind Seaworthy's process protocol (docs/protocol.md,
 * the lockstep form). One process is one node incarnation: read a request line, answer it with one line.
 *
 *   c-raft [--pre-vote] [--clamp-append-ack]
 *
 * --pre-vote turns on libraft's pre-vote (raft_set_pre_vote) and declares the pre-vote and check-quorum
 * capabilities (libraft's leaders always step down without a quorum's contact; see README.md).
 * --clamp-append-ack is a diagnostic: it changes what libraft's followers claim in a successful AppendEntries
 * result, to test the diagnosis of a libraft 0.15 bug (README.md, "What Seaworthy found").
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node.h"

static const char *NAME =
#ifdef PLANTED_BUG_VOTE_NOT_PERSISTED
    "c-raft (planted bug: vote-not-persisted)";
#else
    "c-raft";
#endif

/* libraft checks its invariants with assert(): abort() after printing the failed condition on stderr. Say so on
 * the protocol too, as an assertion (docs/contract.md § What the host validates), before dying. Only write(2)
 * here: it is async-signal-safe, and no reply is half-written when libraft runs (we write after it returns). */
static void on_abort(int sig)
{
    static const char line[] =
        "{\"type\":\"error\",\"kind\":\"assertion\",\"message\":\"libraft failed an assertion (its stderr has it)\"}\n";
    (void)sig;
    if (write(STDOUT_FILENO, line, sizeof line - 1) < 0) _exit(134);
    _exit(134);
}

static void reply(json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    if (text == NULL) abort();
    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    free(text);
    json_decref(obj);
}

static void reply_error(const char *kind, const char *message)
{
    json_t *o = json_pack("{s:s,s:s}", "type", "error", "message", message);
    if (kind != NULL) json_object_set_new(o, "kind", json_string(kind));
    reply(o);
}

/* rv from node.h: 0 ok, -1 adapter failure, -2 libraft went unavailable (its own error report). */
static void reply_rv(int rv, const char *err, json_t *ok)
{
    if (rv == 0) {
        reply(ok);
        return;
    }
    json_decref(ok);
    reply_error(rv == -2 ? "assertion" : NULL, err);
}

static json_t *created_reply(const struct node_options *options)
{
    json_t *caps = json_array();
    /* The name carries the mode, so summaries and repro lines say which one ran. */
    char name[128];
    snprintf(name, sizeof name, "%s%s%s", NAME, options->pre_vote ? "+pre-vote" : "",
             options->clamp_append_ack ? "+clamp-append-ack" : "");
    if (options->pre_vote) {
        json_array_append_new(caps, json_string("pre-vote"));
        json_array_append_new(caps, json_string("check-quorum"));
    }
    return json_pack(
        "{s:s,s:s,s:o,s:{s:i,s:s},s:{s:[{s:s},{s:s}],s:{s:s,s:{s:b}},s:{s:s,s:{s:i},s:s}}}", "type", "created", "name",
        name, "capabilities", caps, "contract", "version", 2, "entryData", "base64", "messageAnnotations", "preVote",
        "type", "pre-vote", "type", "pre-vote-resp", "voteGrant", "type", "vote-resp", "where", "granted", 1,
        "appendAck", "type", "append-resp", "where", "rejected", 0, "matchField", "matchIndex");
}

int main(int argc, char **argv)
{
    struct node_options options = {0};
    struct node *node = NULL;
    char *line = NULL;
    size_t cap = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pre-vote") == 0) {
            options.pre_vote = 1;
        } else if (strcmp(argv[i], "--clamp-append-ack") == 0) {
            options.clamp_append_ack = 1;
        } else {
            fprintf(stderr, "c-raft: unknown flag %s (expected --pre-vote or --clamp-append-ack)\n", argv[i]);
            return 2;
        }
    }
    signal(SIGABRT, on_abort);
    while (getline(&line, &cap, stdin) > 0) {
        json_error_t jerr;
        json_t *req = json_loads(line, 0, &jerr);
        const char *type = json_string_value(json_object_get(req, "type"));
        const char *err = NULL;
        int rv;
        if (type == NULL) {
            reply_error(NULL, "request is not a JSON object with a string type");
        } else if (strcmp(type, "create") == 0) {
            node = node_create(req, &options, &err);
            if (node == NULL) reply_error(NULL, err);
            else reply(created_reply(&options));
        } else if (node == NULL) {
            reply_error(NULL, "request before create");
        } else if (strcmp(type, "tick") == 0) {
            rv = node_tick(node, &err);
            reply_rv(rv, err, json_pack("{s:s}", "type", "ok"));
        } else if (strcmp(type, "step") == 0) {
            rv = node_step(node, json_object_get(req, "message"), &err);
            reply_rv(rv, err, json_pack("{s:s}", "type", "ok"));
        } else if (strcmp(type, "propose") == 0) {
            json_t *proposed = NULL;
            const char *data = json_string_value(json_object_get(req, "data"));
            rv = data ? node_propose(node, data, &proposed, &err) : (err = "propose without data", -1);
            reply_rv(rv, err, proposed ? proposed : json_null());
        } else if (strcmp(type, "ready") == 0) {
            reply(json_pack("{s:s,s:o}", "type", "ready", "ready", node_ready(node)));
        } else if (strcmp(type, "advance") == 0) {
            rv = node_advance(node, &err);
            reply_rv(rv, err, json_pack("{s:s}", "type", "ok"));
        } else if (strcmp(type, "status") == 0) {
            reply(json_pack("{s:s,s:o}", "type", "status", "status", node_status(node)));
        } else {
            reply_error(NULL, "unknown request type");
        }
        json_decref(req);
    }
    free(line);
    return 0;
}

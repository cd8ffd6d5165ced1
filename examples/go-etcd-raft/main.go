// Command go-etcd-raft puts etcd's raft package (go.etcd.io/etcd/raft, etcd 3.4) behind Seaworthy's process
// protocol (docs/protocol.md): one process is one node incarnation, driven by one JSON request per stdin line
// and answering with one JSON reply per stdout line. See README.md for how to build and run it.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// The planted bugs this adapter can run with; Seaworthy must catch each.
const (
	// bugVoteNotPersisted: the vote never reaches the disk.
	bugVoteNotPersisted = "vote-not-persisted"
	// bugVoteAfterSend: the vote reaches the disk only after the messages that depend on it were sent.
	bugVoteAfterSend = "vote-after-send"
	// bugAckBeforeDurable: every node's Ready sends before its entries are durable (contract sendBeforeDurable
	// "any", the literal wording of etcd's raft documentation), so a follower acknowledges entries it may lose.
	bugAckBeforeDurable = "ack-before-durable"
)

var bugs = []string{bugVoteNotPersisted, bugVoteAfterSend, bugAckBeforeDurable}

// options are the command-line flags: etcd's optional protocol features and the planted bug.
type options struct {
	preVote     bool
	checkQuorum bool
	readIndex   bool
	leaseRead   bool
	annotate    bool
	membership  bool
	// fixAutoLeave backports etcd-io/etcd#11046 (after etcd 3.4): the leaving entry of a joint configuration is
	// appended once, not at every Advance until it is applied.
	fixAutoLeave bool
	bug          string
}

// request is any request line; each type uses its own fields (docs/protocol.md, "Requests and replies").
type request struct {
	Type           string       `json:"type"`
	ID             uint64       `json:"id"`
	Peers          []uint64     `json:"peers"`
	Storage        wireStorage  `json:"storage"`
	Seed           uint32       `json:"seed"`
	ElectionTicks  int          `json:"electionTicks"`
	HeartbeatTicks int          `json:"heartbeatTicks"`
	Message        *wireMessage `json:"message"`
	Data           *string      `json:"data"`
	RequestID      *uint64      `json:"requestId"`
	// Applied is the index the host's durable state machine kept (contract version 2, stateMachine "durable").
	Applied *uint64 `json:"applied"`
	// ConfChange is propose-conf-change's request; Target is transfer-leadership's (-membership only).
	ConfChange *confChangeRequest `json:"request"`
	Target     *uint64            `json:"target"`
}

// contract declares contract version 2 (docs/contract.md § Contract version 2): what etcd's RawNode does,
// instead of the workarounds version 1 needed. Proposals return no index and a follower forwards them (MsgProp);
// a leader's appends leave while it writes the same entries, as etcd's server does (thesis §10.2.1); an fsync
// only when etcd's MustSync says so; the state machine is durable and etcd gets Config.Applied; entry data is
// base64, so etcd's bytes travel unchanged.
func (o options) contract() map[string]interface{} {
	sendBeforeDurable := "leader"
	if o.bug == bugAckBeforeDurable {
		sendBeforeDurable = "any"
	}
	contract := map[string]interface{}{
		"version": 2, "proposals": "unindexed", "sendBeforeDurable": sendBeforeDurable, "mustSync": true,
		"stateMachine": "durable", "entryData": "base64",
	}
	if o.membership {
		// etcd switches configurations when the application applies a change (ApplyConfChange), not when it is
		// appended: the checkers must count in the configuration before a change until then.
		contract["configurations"] = "applied"
	}
	return contract
}

func main() {
	opts, err := parseOptions(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-etcd-raft:", err)
		os.Exit(2)
	}
	if err := serve(opts, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "go-etcd-raft:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	var opts options
	fs := flag.NewFlagSet("go-etcd-raft", flag.ContinueOnError)
	fs.BoolVar(&opts.preVote, "pre-vote", false, "enable etcd's PreVote (thesis §9.6)")
	fs.BoolVar(&opts.checkQuorum, "check-quorum", false, "enable etcd's CheckQuorum: a leader that hears no quorum steps down")
	fs.BoolVar(&opts.readIndex, "read-index", false, "serve reads through etcd's ReadIndex (thesis §6.4) instead of the log")
	fs.BoolVar(&opts.leaseRead, "lease-read", false, "serve ReadIndex reads from the leader's lease (etcd's ReadOnlyLeaseBased, thesis §6.4.1) instead of a heartbeat round; needs -read-index and -check-quorum")
	fs.BoolVar(&opts.annotate, "annotate", false, "declare what etcd's vote and append responses mean (messageAnnotations), so the host checks each one as it is sent")
	fs.BoolVar(&opts.membership, "membership", false, "declare membership-change and leadership-transfer: etcd's ConfChangeV2 (joint consensus, learners, auto-leave) and TransferLeader")
	fs.BoolVar(&opts.fixAutoLeave, "fix-auto-leave", false, "with -membership: backport etcd-io/etcd#11046, so etcd 3.4 appends the entry leaving a joint configuration once (README.md, \"What Seaworthy reports in etcd 3.4\")")
	fs.StringVar(&opts.bug, "bug", "", "plant a bug Seaworthy must catch: "+strings.Join(bugs, ", "))
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if opts.fixAutoLeave && !opts.membership {
		return options{}, fmt.Errorf("-fix-auto-leave needs -membership")
	}
	if opts.leaseRead && (!opts.readIndex || !opts.checkQuorum) {
		return options{}, fmt.Errorf("-lease-read needs -read-index and -check-quorum (etcd requires CheckQuorum for lease-based reads)")
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if opts.bug != "" && !contains(bugs, opts.bug) {
		return options{}, fmt.Errorf("unknown -bug %q, expected one of %s", opts.bug, strings.Join(bugs, ", "))
	}
	return opts, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (o options) name() string {
	parts := []string{"go-etcd-raft"}
	if o.preVote {
		parts = append(parts, "pre-vote")
	}
	if o.checkQuorum {
		parts = append(parts, "check-quorum")
	}
	if o.readIndex {
		parts = append(parts, "read-index")
	}
	if o.leaseRead {
		parts = append(parts, "lease-read")
	}
	if o.membership {
		parts = append(parts, "membership")
	}
	if o.fixAutoLeave {
		parts = append(parts, "fix-auto-leave")
	}
	if o.bug != "" {
		parts = append(parts, o.bug)
	}
	return strings.Join(parts, "+")
}

func (o options) capabilities() []string {
	caps := []string{}
	if o.preVote {
		caps = append(caps, "pre-vote")
	}
	if o.checkQuorum {
		caps = append(caps, "check-quorum")
	}
	if o.readIndex {
		caps = append(caps, "read-index")
	}
	if o.leaseRead {
		caps = append(caps, "lease-read")
	}
	if o.membership {
		caps = append(caps, "membership-change", "leadership-transfer")
	}
	return caps
}

// serve answers request lines until end of input. It never reads ahead: one line in, one line out, flushed.
func serve(opts options, in io.Reader, out io.Writer) error {
	reader := bufio.NewReaderSize(in, 1<<16)
	writer := bufio.NewWriterSize(out, 1<<16)
	var current *node
	for {
		line, err := reader.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		reply, next := handleLine(opts, current, line)
		current = next
		encoded, err := json.Marshal(reply)
		if err != nil {
			return err
		}
		if _, err := writer.Write(append(encoded, '\n')); err != nil {
			return err
		}
		if err := writer.Flush(); err != nil {
			return err
		}
	}
}

// handleLine answers one request. etcd reports broken invariants by panicking (its logger's Panicf); such a
// panic becomes an error reply of kind "assertion", any other panic (the adapter's own) a plain error reply; the
// host reports either as an implementation error of that kind, carrying the message.
func handleLine(opts options, current *node, line []byte) (reply interface{}, next *node) {
	next = current
	var req request
	defer func() {
		if p := recover(); p != nil {
			if failure, ok := p.(assertionFailure); ok {
				reply = map[string]string{"type": "error", "kind": "assertion", "message": fmt.Sprintf("etcd raft panicked in %s: %s", req.Type, failure)}
				return
			}
			reply = errorReply(fmt.Sprintf("the adapter panicked in %s: %v", req.Type, p))
		}
	}()
	if err := json.Unmarshal(line, &req); err != nil {
		return errorReply("malformed request: " + err.Error()), next
	}
	if req.Type == "create" {
		n, err := newNode(opts, &req)
		if err != nil {
			return errorReply("create: " + err.Error()), next
		}
		created := map[string]interface{}{"type": "created", "name": opts.name(), "capabilities": opts.capabilities(), "contract": opts.contract()}
		if opts.annotate {
			created["messageAnnotations"] = messageAnnotations
		}
		return created, n
	}
	if current == nil {
		return errorReply(fmt.Sprintf("%q before create", req.Type)), next
	}
	return dispatch(opts, current, &req), next
}

func dispatch(opts options, n *node, req *request) interface{} {
	switch req.Type {
	case "tick":
		n.tick()
		return okReply()
	case "step":
		if req.Message == nil {
			return errorReply("step without a message")
		}
		if err := n.step(*req.Message); err != nil {
			return errorReply("step: " + err.Error())
		}
		return okReply()
	case "propose":
		if req.Data == nil {
			return errorReply("propose without data")
		}
		data, err := base64.StdEncoding.DecodeString(*req.Data)
		if err != nil {
			return errorReply("propose: data is not base64: " + err.Error())
		}
		reply, err := n.propose(data)
		if err != nil {
			return errorReply("propose: " + err.Error())
		}
		return reply
	case "ready":
		rd, err := n.ready()
		if err != nil {
			return errorReply("ready: " + err.Error())
		}
		return map[string]interface{}{"type": "ready", "ready": rd}
	case "advance":
		if err := n.advance(); err != nil {
			return errorReply("advance: " + err.Error())
		}
		return okReply()
	case "status":
		st, err := n.status()
		if err != nil {
			return errorReply("status: " + err.Error())
		}
		return map[string]interface{}{"type": "status", "status": st}
	case "read-index":
		if !opts.readIndex || req.RequestID == nil {
			return errorReply("read-index needs the -read-index flag and a requestId")
		}
		return map[string]interface{}{"type": "read-index", "accepted": n.readIndex(*req.RequestID)}
	case "propose-conf-change":
		if !opts.membership || req.ConfChange == nil {
			return errorReply("propose-conf-change needs the -membership flag and a request")
		}
		reply, err := n.proposeConfChange(*req.ConfChange)
		if err != nil {
			return errorReply("propose-conf-change: " + err.Error())
		}
		return reply
	case "transfer-leadership":
		if !opts.membership || req.Target == nil {
			return errorReply("transfer-leadership needs the -membership flag and a target")
		}
		return map[string]interface{}{"type": "transfer-leadership", "accepted": n.transferLeadership(*req.Target)}
	}
	return errorReply(fmt.Sprintf("unsupported request %q", req.Type))
}

func okReply() interface{} { return map[string]string{"type": "ok"} }

func errorReply(message string) interface{} {
	return map[string]string{"type": "error", "message": message}
}

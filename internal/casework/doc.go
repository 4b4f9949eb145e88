// Package casework (layer: use cases) owns the application service every door calls (gRPC,
// REST through the gateway, and the web pages): it turns a domain command
// into exactly one store transaction that reads the case, checks its etag,
// applies the pure decision from package cases, writes the case with its
// indexes, and appends its audit event with the personal payload kept apart.
// It also runs queries over the indexes: lists filtered (filter.go states
// what each term means, e.g. needs_action and due_this_week) and paged
// both ways, a case by reference, and each assignee's count of open cases.
// Filters are AIP-160 (go.einride.tech/aip parses them; filter.go checks
// each term and evaluates the tree against a case). An index is chosen
// (list.go, choosePlan) only from the terms at the top of the filter,
// alone or joined by AND: reference looks one case up; state, waiting,
// open = false, undelivered and a non-empty assignee pick their index,
// and the due terms (with overdue, due_this_week, extension_due) bound
// the dates walked; notice picks its index in received order. Everything
// else scans: a filter whose top is OR or NOT, or whose top-level terms
// are none of those, walks the open-by-due index (or, in received order,
// the received index) and tests each case, up to maxExamined entries a
// page once the page holds a case, and on past that while it is empty,
// so a page with nothing on it never offers a next one.
//
// It hands a released response pack to its requester (delivery.go): a
// one-time code emailed through the outbox, kept on the case only as a
// keyed hash (store.HashDeliveryCode), and the download it unlocks, each
// step one transaction with its audit event.
//
// It also owns the outbox (outbox.go). A letter is queued in the
// transaction of the case change that causes it: the acknowledgement of a
// request from the public pages in the one that opens the case, and, in
// the one that applies the command, the letter letters.Needed names for
// it (identity, clarification or fee request; extension notice; the
// letter that closes the request), written by internal/letters from the
// case as the command left it (letters.go; a letter that cannot be
// written refuses the command). Its envelope goes on the case, its body
// in its own bucket, an outbox entry, and an audit event with its
// template, version and hash, never its text. A requester with an email
// address is written to by email; one with only a postal address, by post
// (post.go): the letter is kept the same way, addressed to their postal
// block, and never given to the outbox; it waits to be printed (its PDF is
// made again from the kept text, the same bytes each time, so nothing
// else is stored) until staff mark it posted. Anyone else's letters are
// staff's.
// OutboxJob, run on the leader, sends what is due through a Sender: it
// first claims the entry (moves it Claim into the future, in a
// transaction fenced by the leader's epoch), then sends, then records the
// outcome on the case (sent; failed_retrying with exponential backoff and
// a cap; undeliverable after cases.RetryPolicy.MaxAttempts or a permanent
// refusal) and its audit event. Every attempt carries the letter's id as
// its idempotency key (the email's Message-ID). So a letter is never lost:
// a crash before the claim leaves it due; a crash after the claim but
// before the relay accepted it leaves it to be sent when the claim runs
// out. It is sent at most once except in one window: if the process dies
// (or is deposed) after the relay accepted the letter and before the
// outcome is committed, the letter is sent again when the claim runs out,
// with the same Message-ID, so delivery there is at-least-once and mail
// systems that deduplicate on Message-ID show it once. Closing that window
// would need the relay to take part in the transaction, which SMTP cannot.
// TestCrashOutboxLosesNoLetterAndSendsNoneTwice SIGKILLs a sender at
// random and holds it to exactly this: nothing lost, and a second send
// only of a letter a killed sender left claimed and unrecorded.
//
// It takes the requester's answers from the status page (reply.go): a
// reply's documents go to the document store (WithDocuments) first, each
// under a random key that starts with the case id, checked by content
// sniffing and metered against cases.MaxFileSize on the way in; then one
// transaction records them on the case with the reply; on failure they are
// deleted again. A document left behind by a crash between the two is
// harmless: no case names it, so no one is shown it. Staff read a
// document through Document.
//
// Retention (retention.go): the daily run on the leader purges, one
// transaction each, the closed cases the schedule says are due and no
// legal hold keeps, through store.PurgeCase, then removes their documents;
// PurgeCase with reason erasure is the same for a data subject's request.
//
// It must not know about transports.
package casework

// Package leader (layer: use cases) runs the background work that must
// happen on one replica at a time — an outbox sender, reminders, the
// retention purge — on whichever replica leads, and moves it to another
// when the leader dies. Who leads is an Elector's business: Local for the
// embedded engine (the database file's lock already makes one process the
// only one), etcdleader's election with a lease for replicas on etcd.
//
// An election alone cannot stop a leader that has lost its lease without
// knowing it (a long pause, a partition) from writing alongside the new
// one. So each term also claims the next leader epoch in the store, and
// Lead.Update checks, inside the job's own transaction, that the epoch is
// still this term's: the store's transactions are serializable on every
// engine, so once a new leader has claimed its epoch, the old leader's
// writes fail with ErrDeposed and it steps down.
//
// It must not know about the doors or the storage engines.
package leader

package casework

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// builtinStore opens a store holding the built-in catalogue and returns
// one of its notices.
func builtinStore(tb testing.TB) (*store.Store, notice.Notice) {
	tb.Helper()
	b, err := bolt.Open(tb.TempDir(), bolt.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(context.Background(), b)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	all, err := catalogue.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	if err := store.AddMissingNotices(context.Background(), st, all); err != nil {
		tb.Fatal(err)
	}
	return st, all[0]
}

func stampedIn(t *testing.T, st *store.Store, d *decodedNotices, id string) (n *notice.Notice, stamp []byte) {
	t.Helper()
	err := st.View(context.Background(), func(tx store.ReadTx) (err error) {
		n, stamp, err = d.stamped(tx, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, stamp
}

func put(t *testing.T, st *store.Store, n *notice.Notice) {
	t.Helper()
	if err := st.Update(context.Background(), func(tx store.WriteTx) error { return store.PutNotice(tx, n) }); err != nil {
		t.Fatal(err)
	}
}

func unchanged(t *testing.T, st *store.Store, id string, stamp []byte) (same bool) {
	t.Helper()
	_ = st.View(context.Background(), func(tx store.ReadTx) error { same = store.NoticeUnchanged(tx, id, stamp); return nil })
	return same
}

// A notice is decoded once while its record stays the same, and decoded
// again as soon as anything in it changes: a version added, or a version
// edited in place under the same number.
func TestDecodedNoticesAreNeverStale(t *testing.T) {
	st, n := builtinStore(t)
	var d decodedNotices
	first, stamp := stampedIn(t, st, &d, n.ID)
	if again, _ := stampedIn(t, st, &d, n.ID); again != first {
		t.Error("an unchanged notice was decoded again")
	}
	if !unchanged(t, st, n.ID, stamp) {
		t.Error("the stamp of an unchanged notice says it changed")
	}

	added := n
	added.Versions = append(slices.Clone(n.Versions), n.Versions[len(n.Versions)-1])
	added.Versions[len(added.Versions)-1].Number++
	put(t, st, &added)
	got, stampAdded := stampedIn(t, st, &d, n.ID)
	if len(got.Versions) != len(added.Versions) {
		t.Errorf("after a version was added: %d versions, want %d", len(got.Versions), len(added.Versions))
	}
	if unchanged(t, st, n.ID, stamp) {
		t.Error("the stamp taken before the new version says the notice is unchanged")
	}

	edited := added
	edited.Versions = slices.Clone(added.Versions)
	edited.Versions[0].Title += " (corrected)"
	put(t, st, &edited)
	got, _ = stampedIn(t, st, &d, n.ID)
	if got.Versions[0].Title != edited.Versions[0].Title {
		t.Errorf("after version 1 was edited in place: title %q, want %q", got.Versions[0].Title, edited.Versions[0].Title)
	}
	if unchanged(t, st, n.ID, stampAdded) {
		t.Error("the stamp taken before the edit says the notice is unchanged")
	}
	if first.Versions[0].Title != n.Versions[0].Title || len(first.Versions) != len(n.Versions) {
		t.Error("a notice handed out earlier changed under its holder")
	}
}

func TestDecodedNoticesAreBounded(t *testing.T) {
	st, n := builtinStore(t)
	var d decodedNotices
	for i := range maxDecodedNotices + 20 {
		other := n
		other.ID = fmt.Sprintf("notice-%03d", i)
		put(t, st, &other)
		if got, _ := stampedIn(t, st, &d, other.ID); got.ID != other.ID {
			t.Fatalf("asked for %s, got %s", other.ID, got.ID)
		}
	}
	if len(d.entries) > maxDecodedNotices {
		t.Errorf("%d notices kept decoded, want at most %d", len(d.entries), maxDecodedNotices)
	}
}

// What a create pays to read the notice it cites: decoded from JSON every
// time, as before, or kept decoded.
func BenchmarkNoticeForCreate(b *testing.B) {
	st, n := builtinStore(b)
	ctx := context.Background()
	b.Run("decoded-every-time", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = st.View(ctx, func(tx store.ReadTx) error { _, _, err := store.GetNoticeStamped(tx, n.ID); return err })
		}
	})
	b.Run("kept-decoded", func(b *testing.B) {
		var d decodedNotices
		b.ReportAllocs()
		for b.Loop() {
			_ = st.View(ctx, func(tx store.ReadTx) error { _, _, err := d.stamped(tx, n.ID); return err })
		}
	})
}

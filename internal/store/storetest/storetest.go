package storetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// Harness tells the suite how to run a backend.
type Harness struct {
	// Open opens the backend whose state lives in dir; opening the same dir
	// again after Close must see everything committed before.
	Open func(t testing.TB, dir string) store.Backend
	// Restore turns a Backup into state that Open(dir) reads.
	Restore func(t testing.TB, backup []byte, dir string)
}

// RunAll runs every conformance test against the harness.
func RunAll(t *testing.T, h Harness) {
	tests := map[string]func(*testing.T, Harness){
		"PutGetDelete":              testPutGetDelete,
		"ScanIsOrderedAndStops":     testScan,
		"ScanReverse":               testScanReverse,
		"GetMany":                   testGetMany,
		"GetManyInUpdate":           testGetManyInUpdate,
		"FailedUpdateRollsBack":     testRollback,
		"UpdateSeesItsOwnWrites":    testOwnWrites,
		"ConcurrentWritersAllLand":  testConcurrentWriters,
		"FailingWriterFailsAlone":   testFailingWriterFailsAlone,
		"RequestReplays":            testRequestReplays,
		"DurableAcrossReopen":       testReopen,
		"CancelledContextWritesNil": testCancelled,
		"BackupRestores":            testBackup,
		"SchemaVersionGuard":        testSchemaGuard,
		"ReadOnlySchemaGuard":       testReadOnlySchemaGuard,
		"Notices":                   testNotices,
		"HolidayImportsInOrder":     testHolidayImports,
		"Tokens":                    testTokens,
		"StaffNames":                testStaffNames,
		"RequesterIndex":            testRequesterIndex,
		"MigrateV1":                 testMigrateV1,
		"MigrateV3":                 testMigrateV3,
		"MigrateV4":                 testMigrateV4,
		"MigrateV5":                 testMigrateV5,
		"WebSessions":               testWebSessions,
		"CaseIndexes":               testCaseIndexes,
		"OpenCaseCounts":            testOpenCaseCounts,
		"OverlongKeyWritesNothing":  testOverlongKey,
		"AuditChain":                testAuditChain,
		"Outbox":                    testOutbox,
		"MessageBodies":             testMessageBodies,
		"UndeliveredIndex":          testUndeliveredIndex,
		"StaffOutbox":               testStaffOutbox,
		"PurgeCase":                 testPurgeCase,
		"PreparedCase":              testPreparedCase,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) { fn(t, h) })
	}
}

var ctx = context.Background()

func open(t *testing.T, h Harness) (store.Backend, string) {
	dir := t.TempDir()
	b := h.Open(t, dir)
	t.Cleanup(func() { _ = b.Close() })
	return b, dir
}

func put(t *testing.T, b store.Backend, key, value string) {
	t.Helper()
	err := b.Update(ctx, func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte(key), []byte(value)) })
	if err != nil {
		t.Fatalf("put %q: %v", key, err)
	}
}

func get(t *testing.T, b store.Backend, key string) (value string, found bool) {
	t.Helper()
	err := b.View(ctx, func(tx store.ReadTx) error {
		v := tx.Get(store.BucketMeta, []byte(key))
		value, found = string(v), v != nil
		return nil
	})
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	return value, found
}

func testPutGetDelete(t *testing.T, h Harness) {
	b, _ := open(t, h)
	if _, found := get(t, b, "k"); found {
		t.Fatal("absent key was found")
	}
	put(t, b, "k", "v1")
	put(t, b, "k", "v2")
	if v, _ := get(t, b, "k"); v != "v2" {
		t.Fatalf("got %q, want v2 after overwrite", v)
	}
	err := b.Update(ctx, func(tx store.WriteTx) error { return tx.Delete(store.BucketMeta, []byte("k")) })
	if err != nil {
		t.Fatal(err)
	}
	if _, found := get(t, b, "k"); found {
		t.Fatal("deleted key was found")
	}
}

func testScan(t *testing.T, h Harness) {
	b, _ := open(t, h)
	// Big-endian numbers must sort numerically: 2 < 256 < 65536.
	for _, n := range []uint32{65536, 2, 256, 7} {
		k := binary.BigEndian.AppendUint32([]byte("n/"), n)
		if err := b.Update(ctx, func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, k, []byte("x")) }); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint32
	err := b.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(store.BucketMeta, binary.BigEndian.AppendUint32([]byte("n/"), 3), func(k, _ []byte) (bool, error) {
			if !bytes.HasPrefix(k, []byte("n/")) {
				return false, nil
			}
			got = append(got, binary.BigEndian.Uint32(k[2:]))
			return len(got) < 2, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[7 256]" {
		t.Fatalf("scan from 3, stopping after two: got %v, want [7 256]", got)
	}
}

func testScanReverse(t *testing.T, h Harness) {
	b, _ := open(t, h)
	for _, k := range []string{"a", "c", "e"} {
		put(t, b, "r/"+k, k)
	}
	collect := func(start []byte, limit int) string {
		var got []string
		err := b.View(ctx, func(tx store.ReadTx) error {
			return tx.ScanReverse(store.BucketMeta, start, func(k, _ []byte) (bool, error) {
				if !bytes.HasPrefix(k, []byte("r/")) {
					return false, nil
				}
				got = append(got, string(k[2:]))
				return len(got) < limit, nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got)
	}
	for _, tt := range []struct {
		start string
		limit int
		want  string
	}{
		{"r/e", 9, "[e c a]"}, // start itself is included
		{"r/d", 9, "[c a]"},   // between keys: the next lower
		{"r/z", 2, "[e c]"},   // past the end, stopping early
		{"r/", 9, "[]"},       // before the first
	} {
		if got := collect([]byte(tt.start), tt.limit); got != tt.want {
			t.Errorf("ScanReverse from %q = %s, want %s", tt.start, got, tt.want)
		}
	}
	var last string
	err := b.View(ctx, func(tx store.ReadTx) error {
		return tx.ScanReverse(store.BucketMeta, nil, func(k, _ []byte) (bool, error) { last = string(k); return false, nil })
	})
	if err != nil || last != "r/e" {
		t.Fatalf("ScanReverse from nil started at %q (%v), want the last key", last, err)
	}
}

func testRollback(t *testing.T, h Harness) {
	b, _ := open(t, h)
	boom := errors.New("boom")
	err := b.Update(ctx, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketMeta, []byte("half"), []byte("written")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the callback's error", err)
	}
	if _, found := get(t, b, "half"); found {
		t.Fatal("a failed transaction left a write behind")
	}
}

func testOwnWrites(t *testing.T, h Harness) {
	b, _ := open(t, h)
	err := b.Update(ctx, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketMeta, []byte("a"), []byte("1")); err != nil {
			return err
		}
		if string(tx.Get(store.BucketMeta, []byte("a"))) != "1" {
			return errors.New("write not visible inside its own transaction")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testConcurrentWriters(t *testing.T, h Harness) {
	b, _ := open(t, h)
	const writers = 64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			key := fmt.Sprintf("w%02d", i)
			errs <- b.Update(ctx, func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte(key), []byte(key)) })
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range writers {
		if v, _ := get(t, b, fmt.Sprintf("w%02d", i)); v != fmt.Sprintf("w%02d", i) {
			t.Fatalf("writer %d's acknowledged write is missing", i)
		}
	}
}

func testReopen(t *testing.T, h Harness) {
	dir := t.TempDir()
	b := h.Open(t, dir)
	put(t, b, "durable", "yes")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = h.Open(t, dir)
	defer b.Close()
	if v, _ := get(t, b, "durable"); v != "yes" {
		t.Fatalf("after reopen got %q, want yes", v)
	}
}

func testCancelled(t *testing.T, h Harness) {
	b, _ := open(t, h)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	err := b.Update(cancelled, func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte("c"), []byte("c")) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update with a cancelled context returned %v", err)
	}
	if _, found := get(t, b, "c"); found {
		t.Fatal("a cancelled Update wrote")
	}
}

func testBackup(t *testing.T, h Harness) {
	b, _ := open(t, h)
	put(t, b, "backed-up", "yes")
	var buf bytes.Buffer
	n, err := b.Backup(ctx, &buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup wrote %d bytes (buffer %d), err %v", n, buf.Len(), err)
	}
	dir := t.TempDir()
	h.Restore(t, buf.Bytes(), dir)
	restored := h.Open(t, dir)
	defer restored.Close()
	if v, _ := get(t, restored, "backed-up"); v != "yes" {
		t.Fatalf("restored backup has %q, want yes", v)
	}
}

func testSchemaGuard(t *testing.T, h Harness) {
	b, _ := open(t, h)
	if _, err := store.Open(ctx, b); err != nil {
		t.Fatalf("first open: %v", err)
	}
	if _, err := store.Open(ctx, b); err != nil {
		t.Fatalf("second open of the same version: %v", err)
	}
	put(t, b, "schema_version", string(binary.BigEndian.AppendUint32(nil, store.SchemaVersion+1)))
	if _, err := store.Open(ctx, b); !errors.Is(err, store.ErrNewerSchema) {
		t.Fatalf("opening a newer schema returned %v, want ErrNewerSchema", err)
	}
}

func testNotices(t *testing.T, h Harness) {
	b, _ := open(t, h)
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"charlie", "alpha", "bravo"} {
		n := &notice.Notice{ID: id, Versions: []notice.Version{{Number: 1, Title: "Notice " + id}}}
		if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutNotice(tx, n) }); err != nil {
			t.Fatal(err)
		}
	}
	err = s.View(ctx, func(tx store.ReadTx) error {
		if _, err := store.GetNotice(tx, "delta"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing notice: got %v, want ErrNotFound", err)
		}
		n, err := store.GetNotice(tx, "bravo")
		if err != nil || n.Current().Title != "Notice bravo" {
			t.Errorf("GetNotice(bravo) = %+v, %v", n, err)
		}
		first, more, err := store.ListNotices(tx, "", 2)
		if err != nil || len(first) != 2 || !more || first[0].ID != "alpha" || first[1].ID != "bravo" {
			t.Errorf("first page = %v more=%v err=%v", first, more, err)
		}
		rest, more, err := store.ListNotices(tx, "bravo", 2)
		if err != nil || len(rest) != 1 || more || rest[0].ID != "charlie" {
			t.Errorf("second page = %v more=%v err=%v", rest, more, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutNotice(tx, &notice.Notice{ID: "empty"}) }); err == nil {
		t.Error("a notice without versions was stored")
	}

	// A stamp holds until the notice is rewritten with other content.
	var stamp []byte
	_ = s.View(ctx, func(tx store.ReadTx) (err error) {
		_, stamp, err = store.GetNoticeStamped(tx, "alpha")
		if err != nil || !store.NoticeUnchanged(tx, "alpha", stamp) || store.NoticeUnchanged(tx, "bravo", stamp) || store.NoticeUnchanged(tx, "delta", stamp) {
			t.Errorf("a fresh stamp: err %v, or it matched another notice", err)
		}
		return nil
	})
	changed := &notice.Notice{ID: "alpha", Versions: []notice.Version{{Number: 1, Title: "Notice alpha"}, {Number: 2, Title: "Notice alpha, revised"}}}
	if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutNotice(tx, changed) }); err != nil {
		t.Fatal(err)
	}
	_ = s.View(ctx, func(tx store.ReadTx) error {
		if store.NoticeUnchanged(tx, "alpha", stamp) {
			t.Error("the stamp still matched after a new version was stored")
		}
		return nil
	})
}

func testHolidayImports(t *testing.T, h Harness) {
	b, _ := open(t, h)
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"first", "second", "third"} {
		if err := s.Update(ctx, func(tx store.WriteTx) error { return store.AddHolidayImport(tx, []byte(doc)) }); err != nil {
			t.Fatal(err)
		}
	}
	var docs [][]byte
	if err := s.View(ctx, func(tx store.ReadTx) (err error) { docs, err = store.HolidayImports(tx); return err }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%s", docs) != "[first second third]" {
		t.Fatalf("imports = %s, want them in import order", docs)
	}
}

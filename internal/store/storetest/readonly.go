package storetest

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// testReadOnlySchemaGuard checks that OpenReadOnly writes nothing and
// accepts only the current schema version, and that its store refuses
// writes.
func testReadOnlySchemaGuard(t *testing.T, h Harness) {
	b, _ := open(t, h)
	if _, err := store.OpenReadOnly(ctx, b); !errors.Is(err, store.ErrNotRightsdesk) {
		t.Fatalf("OpenReadOnly on a database without a schema version: %v, want ErrNotRightsdesk", err)
	}
	if _, found := get(t, b, "schema_version"); found {
		t.Fatal("OpenReadOnly wrote a schema version")
	}
	if _, err := store.Open(ctx, b); err != nil {
		t.Fatal(err)
	}
	s, err := store.OpenReadOnly(ctx, b)
	if err != nil {
		t.Fatalf("OpenReadOnly on the current schema: %v", err)
	}
	if !s.ReadOnly() {
		t.Error("the store does not say it is read-only")
	}
	ran := false
	if err := s.Update(ctx, func(store.WriteTx) error { ran = true; return nil }); !errors.Is(err, store.ErrReadOnly) || ran {
		t.Fatalf("Update on a read-only store: %v (ran %v), want ErrReadOnly without running", err, ran)
	}
	if err := s.View(ctx, func(tx store.ReadTx) error { return nil }); err != nil {
		t.Fatalf("View on a read-only store: %v", err)
	}
	for _, tt := range []struct {
		version uint32
		want    error
	}{
		{store.SchemaVersion - 1, store.ErrOlderSchema},
		{store.SchemaVersion + 1, store.ErrNewerSchema},
	} {
		put(t, b, "schema_version", string(binary.BigEndian.AppendUint32(nil, tt.version)))
		if _, err := store.OpenReadOnly(ctx, b); !errors.Is(err, tt.want) {
			t.Errorf("OpenReadOnly on schema version %d: %v, want %v", tt.version, err, tt.want)
		}
		if v, _ := get(t, b, "schema_version"); binary.BigEndian.Uint32([]byte(v)) != tt.version {
			t.Errorf("OpenReadOnly changed schema version %d", tt.version)
		}
	}
}

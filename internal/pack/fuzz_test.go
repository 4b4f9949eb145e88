package pack_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/pack"
)

// FuzzVerify feeds Verify any bytes: it never panics, every answer is
// intact, broken or refused, and a pack it calls intact verifies again
// the same way.
func FuzzVerify(f *testing.F) {
	var good bytes.Buffer
	if _, err := pack.Write(&good, samplePack()); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := pack.Verify(bytes.NewReader(data), int64(len(data)))
		switch {
		case err == nil:
			if !rep.OK() {
				t.Fatalf("no error but the report is not OK: %+v", rep)
			}
			again, err := pack.Verify(bytes.NewReader(data), int64(len(data)))
			if err != nil || len(again.Entries) != len(rep.Entries) {
				t.Fatalf("verified once, then %v with %d entries", err, len(again.Entries))
			}
		case errors.Is(err, pack.ErrBroken):
			if rep.OK() {
				t.Fatal("broken but the report is OK")
			}
		case !errors.Is(err, pack.ErrRefused):
			t.Fatalf("an error that is neither broken nor refused: %v", err)
		}
	})
}

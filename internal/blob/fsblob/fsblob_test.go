package fsblob_test

import (
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/blobtest"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
)

func TestConformance(t *testing.T) {
	blobtest.RunAll(t, blobtest.Harness{MaxSize: 8 << 20, Open: func(t testing.TB) blob.Store {
		s, err := fsblob.Open(t.TempDir(), 8<<20)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}})
}

package casework_test

import (
	"encoding/json"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// A case and its audit event are stored compressed with the record
// dictionary, which was made from other notices' records than this one's:
// the case takes well under its size compressed alone, the event under half
// its JSON.
func TestRecordsOfANoticeTheDictionaryHasNotSeenStaySmall(t *testing.T) {
	w, st := newService(t, t.TempDir())
	c := create(t, w, request(notice.RightPortability, "req-size"))
	plain, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	alone, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		t.Fatal(err)
	}
	var record, event []byte
	var events []int
	if err := st.View(ctx, func(tx store.ReadTx) error {
		record = tx.Get(store.BucketCases, []byte(c.ID))
		event = tx.Get(store.BucketAudit, []byte{0, 0, 0, 0, 0, 0, 0, 1})
		got, _, err := store.CaseEvents(tx, c.ID)
		for _, e := range got {
			raw, _ := json.Marshal(e)
			events = append(events, len(raw))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if compressed := len(alone.EncodeAll(plain, nil)); len(record) > compressed*6/10 {
		t.Errorf("the case record takes %d bytes, its JSON compressed alone %d: want at most 60%%", len(record), compressed)
	}
	if len(events) != 1 || len(event) > events[0]/2 {
		t.Errorf("the audit event takes %d bytes, its JSON %v: want at most half", len(event), events)
	}
}

package store

import (
	"encoding/json"
	"time"
)

// SetMigrationBatch makes MigrateToSealed and RewrapKeys work in batches of
// n until the returned function restores the default, so a test can see a
// migration cross several transactions with a few cases.
func SetMigrationBatch(n int) (restore func()) {
	old := migrationBatch
	migrationBatch = n
	return func() { migrationBatch = old }
}

// ReplayRecordNaming is a replay record that names caseID alone, as the
// version 8 migration writes for a create made before replays were kept,
// for tests that corrupt the request-id index.
func ReplayRecordNaming(caseID string) []byte {
	raw, err := encodeReplay(storedReplay{CaseID: caseID, Created: time.Unix(0, 0).UTC()})
	if err != nil {
		panic(err)
	}
	return raw
}

// ReplayCaseID is the case id a replay record names, or "".
func ReplayCaseID(raw []byte) string {
	s, _ := decodeReplay(raw)
	return s.CaseID
}

// EventInWholeLayout is a stored event rewritten as schema version 8 and
// earlier stored every event: the whole event as compressed JSON.
func EventInWholeLayout(raw []byte) ([]byte, error) {
	e, err := decodeEvent(raw)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return caseEncoder.EncodeAll(plain, nil), nil
}

package store

import "bytes"

// OpenCaseCounts counts the open cases, in all and per assignee, from the
// keys of the open-by-due and assignee indexes alone: no case record is
// read or decoded.
func OpenCaseCounts(tx ReadTx) (open int, byAssignee map[string]int, err error) {
	err = tx.Scan(BucketOpenByDue, nil, func(_, _ []byte) (bool, error) {
		open++
		return true, nil
	})
	if err != nil {
		return 0, nil, err
	}
	byAssignee = map[string]int{}
	err = tx.Scan(BucketByAssignee, nil, func(k, _ []byte) (bool, error) {
		if i := bytes.IndexByte(k, 0); i >= 0 { // assignee \x00 due / id
			byAssignee[string(k[:i])]++
		}
		return true, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return open, byAssignee, nil
}

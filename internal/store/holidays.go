package store

import "encoding/binary"

// AddHolidayImport appends an imported bank-holidays document (already
// validated by the caller) after every earlier import.
func AddHolidayImport(tx WriteTx, doc []byte) error {
	var next uint64 = 1
	err := tx.Scan(BucketHolidays, nil, func(k, _ []byte) (bool, error) {
		next = binary.BigEndian.Uint64(k) + 1
		return true, nil
	})
	if err != nil {
		return err
	}
	return tx.Put(BucketHolidays, binary.BigEndian.AppendUint64(nil, next), doc)
}

// HolidayImports returns every imported document, oldest first.
func HolidayImports(tx ReadTx) ([][]byte, error) {
	var docs [][]byte
	err := tx.Scan(BucketHolidays, nil, func(_, v []byte) (bool, error) {
		docs = append(docs, append([]byte(nil), v...))
		return true, nil
	})
	return docs, err
}

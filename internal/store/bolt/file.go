package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
)

// Errors about the database file itself, found before bbolt reads it. Each
// error Open returns for them names the file and matches one of these with
// errors.Is.
var (
	// ErrNoDatabase: a read-only Open found no database file. Nothing is
	// created; the error reads "no database at DIR/rightsdesk.db".
	ErrNoDatabase = errors.New("no database")
	// ErrEmptyFile: the database file has no bytes. bbolt would silently
	// initialise it as a new, empty database, losing whatever it was meant
	// to hold, so every Open refuses it.
	ErrEmptyFile = errors.New("the file is empty (0 bytes), so it is not a Rightsdesk database")
	// ErrTruncated: the file is shorter than its own meta page says its
	// pages reach. bbolt 1.5.0 opens such a file and then fails, or
	// crashes, on the first read of a missing page, so every Open refuses
	// it.
	ErrTruncated = errors.New("the file is truncated")
)

// restoreAdvice ends the message of an error about a damaged file.
const restoreAdvice = "restore rightsdesk.db from a backup (see `rightsdesk backup`)"

// bbolt's on-disk layout (go.etcd.io/bbolt/internal/common), read here
// because bbolt does not check a file's length against its meta page. A
// page starts with a 16-byte header (id, flags, count, overflow); a meta
// page's body is magic, version, page size, flags, root bucket (page id,
// sequence), freelist page id, high-water page id, transaction id and an
// FNV-64a checksum of everything before it. bbolt writes it in the
// machine's byte order.
const (
	pageHeaderSize = 16
	metaSize       = 64
	metaMagic      = 0xED0CDAED
	metaVersion    = 2
)

type meta struct {
	pageSize uint32
	pgid     uint64 // high-water mark: pages [0, pgid) are in the file
	txid     uint64
}

// parseMeta decodes the meta page whose header starts at buf[0], or
// reports false when it is not a valid one.
func parseMeta(buf []byte) (meta, bool) {
	if len(buf) < pageHeaderSize+metaSize {
		return meta{}, false
	}
	body := buf[pageHeaderSize : pageHeaderSize+metaSize]
	ne := binary.NativeEndian
	if ne.Uint32(body[0:]) != metaMagic || ne.Uint32(body[4:]) != metaVersion {
		return meta{}, false
	}
	h := fnv.New64a()
	_, _ = h.Write(body[:56])
	if h.Sum64() != ne.Uint64(body[56:]) {
		return meta{}, false
	}
	m := meta{pageSize: ne.Uint32(body[8:]), pgid: ne.Uint64(body[40:]), txid: ne.Uint64(body[48:])}
	return m, m.pageSize >= 512
}

// readMeta reads the meta page at off, if the file has one there.
func readMeta(f *os.File, off int64) (meta, bool) {
	buf := make([]byte, pageHeaderSize+metaSize)
	if n, _ := f.ReadAt(buf, off); n < len(buf) {
		return meta{}, false
	}
	return parseMeta(buf)
}

// checkFile refuses a database file that is empty or shorter than its
// meta page says, before bbolt opens (and, read-write, initialises) it. It
// reports whether the file exists; a missing file is not an error here.
// A file whose meta pages are both invalid is left to bbolt, which refuses
// it as invalid.
func checkFile(path string) (exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("open database: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return true, fmt.Errorf("open database: %w", err)
	}
	if info.IsDir() {
		return true, fmt.Errorf("%s is a directory, not a database file", path)
	}
	size := info.Size()
	if size == 0 {
		return true, fmt.Errorf("%s: %w; %s, or delete it if this data directory never held any data", path, ErrEmptyFile, restoreAdvice)
	}
	// Like bbolt: the first meta page gives the page size; if it is
	// damaged, look for the second at each page size bbolt supports.
	var metas []meta
	m0, ok := readMeta(f, 0)
	if ok {
		metas = append(metas, m0)
		if m1, ok := readMeta(f, int64(m0.pageSize)); ok {
			metas = append(metas, m1)
		}
	} else {
		for i := 0; i <= 14; i++ {
			if m1, ok := readMeta(f, 1024<<i); ok {
				metas = append(metas, m1)
				break
			}
		}
	}
	if len(metas) == 0 {
		return true, nil
	}
	// bbolt uses the valid meta page with the higher transaction id.
	m := metas[0]
	if len(metas) == 2 && metas[1].txid > m.txid {
		m = metas[1]
	}
	if need := int64(m.pgid) * int64(m.pageSize); size < need {
		return true, truncated(path, size, need)
	}
	return true, nil
}

func truncated(path string, size, need int64) error {
	return fmt.Errorf("%s: %w: it is %d bytes but its meta page says its pages fill %d; %s", path, ErrTruncated, size, need, restoreAdvice)
}

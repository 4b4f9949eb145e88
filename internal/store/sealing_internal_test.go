package store

import (
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// The data-key cache holds at most its limit, drops the least recently
// used first, and never answers for a stored key other than the one it
// unwrapped (after a rotation, a destroyed key or a rolled-back write).
func TestTheDataKeyCacheIsBoundedAndChecksTheStoredKey(t *testing.T) {
	c := newDataKeyCache(2)
	a, b, d := keyring.NewDataKey(), keyring.NewDataKey(), keyring.NewDataKey()
	c.put("A", []byte("wrapped-a"), a)
	c.put("B", []byte("wrapped-b"), b)
	if c.get("A", []byte("wrapped-a")) != a { // A is now the most recent
		t.Fatal("a cached key was not found")
	}
	c.put("D", []byte("wrapped-d"), d)
	if c.len() != 2 || c.get("B", []byte("wrapped-b")) != nil || c.get("A", []byte("wrapped-a")) != a || c.get("D", []byte("wrapped-d")) != d {
		t.Errorf("after a third key: %d held; want the least recently used (B) dropped", c.len())
	}
	if c.get("A", []byte("rewrapped-a")) != nil {
		t.Error("the cache answered for a stored key it did not unwrap")
	}
	c.put("A", []byte("rewrapped-a"), a)
	if c.len() != 2 || c.get("A", []byte("wrapped-a")) != nil || c.get("A", []byte("rewrapped-a")) != a {
		t.Error("replacing an entry kept the old wrapped key or grew the cache")
	}
}

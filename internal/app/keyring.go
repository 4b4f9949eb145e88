package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// errNoKeyring is New's answer to a configuration without a keyring.
var errNoKeyring = fmt.Errorf("no keyring: personal data is encrypted at rest under a keyring kept outside the data directory; create one with `rightsdesk keys init --out FILE` and start with --keyring FILE (or put it in $%s)", keyring.EnvVar)

// LoadKeyring reads the keyring from the file at path, or, when path is
// empty, from the environment (keyring.EnvVar) through lookup. A file must
// be private (0600) and outside dataDir.
func LoadKeyring(path, dataDir string, lookup func(string) (string, bool)) (*keyring.Keyring, error) {
	if path != "" {
		return keyring.LoadFile(path, dataDir)
	}
	if v, ok := lookup(keyring.EnvVar); !ok || v == "" {
		return nil, errNoKeyring
	}
	return keyring.FromEnv(lookup)
}

// CheckKeyring says, without writing anything, whether the store at where
// may be opened with keys: a keyring that is not the store's, or a store
// still to be encrypted (`rightsdesk keys migrate`), is an error that says
// so. Opening a bbolt file for writing changes its bytes even when nothing
// is stored, so the check opens it read-only first: a refused start leaves
// the file exactly as it was. The page check runs first, as at every start,
// so a damaged file is refused before a read of it. On etcd, store.Open
// checks before it writes.
func CheckKeyring(ctx context.Context, where StoreAddress, keys store.Keyring) error {
	if where.Engine != "bolt" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(where.Dir, bolt.FileName)); errors.Is(err, fs.ErrNotExist) {
		return nil // a new database: nothing to check against
	}
	backend, err := bolt.Open(where.Dir, bolt.Options{ReadOnly: true, CheckPages: true})
	if err != nil {
		return err
	}
	defer backend.Close()
	if err := store.CheckKeyring(ctx, backend, keys); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

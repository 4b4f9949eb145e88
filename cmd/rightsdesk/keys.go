package main

import (
	"os"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// The keys commands work on the keyring that encrypts personal data at
// rest (package keyring) and on a stopped server's store: init writes a
// new keyring file, status shows which keys the store uses, rotate adds a
// key and re-wraps every data key under it, and migrate encrypts a store
// written before encryption.

// keyFlags are the flags the keys commands share.
type keyFlags struct {
	keyring, data, store string
}

func addKeyFlags(fs interface {
	StringVar(p *string, name, value, usage string)
}, k *keyFlags) {
	fs.StringVar(&k.keyring, "keyring", "", "keyring file (mode 0600, outside --data); default: the keyring in $"+keyring.EnvVar)
	fs.StringVar(&k.data, "data", "./rightsdesk-data", "data directory of the database (server stopped)")
	fs.StringVar(&k.store, "store", "", "the store, when not the bbolt database in --data: bolt:///DIR or etcd://HOST:2379,… (every server stopped)")
}

func (k keyFlags) load() (*keyring.Keyring, app.StoreAddress, error) {
	where, err := app.ParseStore(k.store, k.data)
	if err != nil {
		return nil, where, err
	}
	kr, err := app.LoadKeyring(k.keyring, where.Dir, os.LookupEnv)
	return kr, where, err
}

package keyring_test

import (
	"context"
	"fmt"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// The life of a store's keys: what a store codec and `rightsdesk keys`
// would do, in order.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

	// keys init: a keyring with one key-encryption key (then kr.Create to
	// a file outside the data directory).
	kr, err := keyring.NewKeyring(now)
	if err != nil {
		panic(err)
	}

	// First start: make the installation's root secret and record the
	// keyring's check; store both (wrapped root, check) in the database.
	root, wrappedRoot, err := keyring.NewRoot(ctx, kr)
	if err != nil {
		panic(err)
	}
	check := kr.Check()

	// Creating a case: a data key of its own, stored wrapped; the personal
	// fields sealed for this case and field; a keyed hash to find it.
	caseKey := keyring.NewDataKey()
	wrappedCaseKey, _ := keyring.WrapDataKey(ctx, kr, caseKey)
	ad := keyring.AssociatedData("01JCASE", "requester")
	sealed := caseKey.Seal([]byte(`{"name":"Ada Example","email":"ada@example.org"}`), ad)
	index := root.Hasher("requester-term").Sum([]byte("ada@example.org"))

	// Every later start: the keyring must be the store's, before anything
	// is read or written.
	fmt.Println("same keyring:", kr.Verify(check) == nil)
	stranger, _ := keyring.NewKeyring(now)
	fmt.Println("another keyring:", stranger.Verify(check) != nil)

	// keys rotate: a new key-encryption key; every wrapped key moves to it;
	// no sealed field changes.
	kr, _, _ = kr.Rotate(now.Add(24 * time.Hour))
	wrappedCaseKey, _ = keyring.Rewrap(ctx, kr, wrappedCaseKey)
	wrappedRoot, _ = keyring.Rewrap(ctx, kr, wrappedRoot)
	fmt.Println("rotated:", kr.Status(map[string]int{wrappedCaseKey.KeyID: 1, wrappedRoot.KeyID: 1}).Rotated())

	// Reading the case again, and finding it by email.
	caseKey, _ = keyring.UnwrapDataKey(ctx, kr, wrappedCaseKey)
	plain, _ := caseKey.Open(sealed, ad)
	fmt.Println(string(plain))
	root, _ = keyring.OpenRoot(ctx, kr, wrappedRoot)
	fmt.Println("found by email:", root.Hasher("requester-term").Equal(index, []byte("ada@example.org")))

	// Retention: deleting wrappedCaseKey is the erasure. Without it,
	// nothing opens sealed, wherever copies of it survive.

	// Output:
	// same keyring: true
	// another keyring: true
	// rotated: true
	// {"name":"Ada Example","email":"ada@example.org"}
	// found by email: true
}

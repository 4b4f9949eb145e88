package app_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// The bench's plain server writes no keyring check, so the store is plain
// (a server started on it later with a keyring refuses it until `keys
// migrate`); given a keyring it refuses to start rather than ignore it.
func TestThePlainBenchServerKeepsAPlainStore(t *testing.T) {
	dir := t.TempDir()
	if _, err := app.NewPlainForBench(t.Context(), app.Config{DataDir: dir, Server: loopback(), Keyring: apptest.Keyring(t, dir)}); err == nil {
		t.Fatal("NewPlainForBench started with a keyring")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the refused start left %d entries in the data directory", len(entries))
	}
	ctx, cancel := context.WithCancel(t.Context())
	a, err := app.NewPlainForBench(ctx, app.Config{DataDir: dir, Server: loopback()})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.View(context.Background(), func(tx store.ReadTx) error {
		if tx.Get(store.BucketMeta, []byte("keyring_check")) != nil {
			t.Error("the plain bench server's store holds a keyring check: it is sealed")
		}
		if tx.Get(store.BucketMeta, []byte("schema_version")) == nil {
			t.Error("the plain bench server wrote no store at all")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The plain mode must stay out of reach of every server: only the bench's
// own (non-test) code may call it. Tests of this package may.
func TestOnlyTheBenchStartsAPlainServer(t *testing.T) {
	root := filepath.Join("..", "..")
	var callers []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "gen") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "NewPlainForBench") {
			callers = append(callers, filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator))))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var benchCalls int
	for _, c := range callers {
		switch {
		case strings.HasPrefix(c, "internal/app/"): // its definition
		case strings.HasPrefix(c, "internal/bench/"):
			benchCalls++
		default:
			t.Errorf("%s names NewPlainForBench: only internal/bench may start a server that keeps personal data in clear", c)
		}
	}
	if benchCalls == 0 {
		t.Errorf("no file under internal/bench names NewPlainForBench (callers: %v): the check would prove nothing", callers)
	}
}

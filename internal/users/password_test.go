package users

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cheap keeps tests fast; the defaults are checked once, below.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPasswordWithDefaultsIsAnOWASPArgon2idPHCString(t *testing.T) {
	encoded, err := HashPassword("correct horse battery staple", DefaultParams, bytes.NewReader(make([]byte, 16)))
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$A{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(encoded) {
		t.Fatalf("hash %q is not $argon2id$v=19$m=19456,t=2,p=1$<16-byte salt>$<32-byte hash>", encoded)
	}
	if ok, err := VerifyPassword(encoded, "correct horse battery staple"); !ok || err != nil {
		t.Fatalf("the password does not verify: %v, %v", ok, err)
	}
	if !DefaultParams.Current(encoded) || cheap.Current(encoded) {
		t.Error("Current does not tell the parameters apart")
	}
}

func TestVerifyPassword(t *testing.T) {
	encoded, err := HashPassword("Caf\u00e9 au lait, s'il vous plaît", cheap, bytes.NewReader(bytes.Repeat([]byte{7}, 16)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		password string
		want     bool
	}{
		{"Caf\u00e9 au lait, s'il vous plaît", true},
		{"Cafe\u0301 au lait, s'il vous plaît", true}, // typed with a combining accent
		{"café au lait, s'il vous plaît", false},      // case still counts
		{"Café au lait, s'il vous plait", false},
		{"", false},
	} {
		if got, err := VerifyPassword(encoded, tt.password); got != tt.want || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.password, got, err, tt.want)
		}
	}
	again, _ := HashPassword("Caf\u00e9 au lait, s'il vous plaît", cheap, bytes.NewReader(bytes.Repeat([]byte{8}, 16)))
	if again == encoded {
		t.Error("two salts gave the same hash")
	}
}

func TestVerifyPasswordRefusesMalformedHashes(t *testing.T) {
	good, _ := HashPassword("a long enough password", cheap, bytes.NewReader(make([]byte, 16)))
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for name, encoded := range map[string]string{
		"empty":              "",
		"bcrypt":             "$2a$10$abcdefghijklmnopqrstuuJ8Zp7mQ7bFvW1l0Zy9nH2vQeQ3m6pK.",
		"argon2i":            "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"old version":        "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"missing hash":       "$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"salt not base64":    "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key,
		"padded base64":      "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"huge memory":        "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key,
		"no passes":          "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"no lanes":           "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"memory below lanes": "$argon2id$v=19$m=8,t=1,p=2$" + salt + "$" + key,
		"leading zero":       "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key,
		"signed":             "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key,
		"short salt":         "$argon2id$v=19$m=64,t=1,p=1$AAAA$" + key,
		"short hash":         "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAA",
	} {
		if ok, err := VerifyPassword(encoded, "a long enough password"); ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: VerifyPassword(%q) = %v, %v; want ErrMalformedHash", name, encoded, ok, err)
		}
	}
	if ok, err := VerifyPassword(good, "a long enough password"); !ok || err != nil {
		t.Fatalf("the well-formed hash the cases are cut from does not verify: %v", err)
	}
	if _, err := HashPassword("a long enough password", Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}, bytes.NewReader(make([]byte, 16))); err == nil {
		t.Error("hashing with no passes was accepted")
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tt := range []struct {
		password string
		ok       bool
	}{
		{"eleven char", false},
		{"quoll kettle", true},
		{"ｑｕｏｌｌ　ｋｅｔｔｌｅ", true},  // full-width: twelve characters after NFKC too
		{"twelve chars", false}, // long enough, but two common words
		{"password1234", false},
		{"aaaaaaaaaaaa", false},
		{"qwertyuiop12", false},
		{"Summer2026!!", false},
		{"Passw0rd!Passw0rd!", false},
		{"adalovelace1", false}, // the account's own name
		{"rightsdesk2026", false},
		{strings.Repeat("ab3$", 200), false}, // a repeat, however long
		{"orange cable sunrise", true},
		{"            ", false},
		{"ééééééééééé", false}, // eleven characters, 22 bytes
		{strings.Repeat("x", MaxPasswordBytes+1), false},
		{"ada@example.org", false},
		{"ADA@EXAMPLE.ORG ", false},
		{"Ada Lovelace", false},
	} {
		if got := CheckPassword(tt.password, "ada@example.org", "Ada Lovelace"); (got == "") != tt.ok {
			t.Errorf("CheckPassword(%q) = %q, want ok=%v", tt.password, got, tt.ok)
		}
	}
}

func TestLockFor(t *testing.T) {
	l := Lockout{FreeAttempts: 3, FirstLock: time.Minute, MaxLock: 10 * time.Minute}
	for failures, want := range map[int]time.Duration{
		0: 0, 2: 0, 3: time.Minute, 4: 2 * time.Minute, 5: 4 * time.Minute, 6: 8 * time.Minute, 7: 10 * time.Minute, 1000: 10 * time.Minute,
	} {
		if got := l.lockFor(failures); got != want {
			t.Errorf("lockFor(%d) = %s, want %s", failures, got, want)
		}
	}
}

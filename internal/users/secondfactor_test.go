package users

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/users/userstest"
)

func TestNewEnrolmentIsWhatAuthenticatorAppsRead(t *testing.T) {
	e, err := NewEnrolment("Rightsdesk", "ada@example.org", bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	key, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	if key.Type() != "totp" || key.Issuer() != "Rightsdesk" || key.AccountName() != "ada@example.org" || key.Secret() != e.Secret || key.Period() != 30 || key.Digits() != otp.DigitsSix {
		t.Errorf("otpauth URL %q does not describe the secret with the standard parameters", e.URL)
	}
	if len(e.Secret) != 32 { // 160 bits in base32
		t.Errorf("secret has %d base32 characters, want 32", len(e.Secret))
	}
}

func TestCodeStep(t *testing.T) {
	secret := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Date(2026, 12, 7, 9, 30, 10, 0, time.UTC)
	step := now.Unix() / 30
	for _, tt := range []struct {
		name     string
		code     string
		lastStep int64
		want     int64
		found    bool
	}{
		{"now", userstest.AppCode(t, secret, now), 0, step, true},
		{"typed with a space", userstest.AppCode(t, secret, now)[:3] + " " + userstest.AppCode(t, secret, now)[3:], 0, step, true},
		{"one step ago", userstest.AppCode(t, secret, now.Add(-30*time.Second)), 0, step - 1, true},
		{"one step ahead", userstest.AppCode(t, secret, now.Add(30*time.Second)), 0, step + 1, true},
		{"two steps ago", userstest.AppCode(t, secret, now.Add(-60*time.Second)), 0, 0, false},
		{"two steps ahead", userstest.AppCode(t, secret, now.Add(60*time.Second)), 0, 0, false},
		{"used already", userstest.AppCode(t, secret, now), step, 0, false},
		{"older than the last used", userstest.AppCode(t, secret, now.Add(-30*time.Second)), step, 0, false},
		{"newer than the last used", userstest.AppCode(t, secret, now.Add(30*time.Second)), step, step + 1, true},
		{"five digits", userstest.AppCode(t, secret, now)[:5], 0, 0, false},
		{"letters", "abcdef", 0, 0, false},
		{"empty", "", 0, 0, false},
	} {
		got, found := CodeStep(secret, tt.code, now, tt.lastStep)
		if got != tt.want || found != tt.found {
			t.Errorf("%s: CodeStep = %d, %v; want %d, %v", tt.name, got, found, tt.want, tt.found)
		}
	}
}

// counting is a reader of distinct bytes from first on, so each recovery
// code made from it differs.
func counting(first byte) *bytes.Reader {
	b := make([]byte, recoveryBytes*RecoveryCodeCount)
	for i := range b {
		b[i] = first + byte(i)
	}
	return bytes.NewReader(b)
}

func TestSecondFactorCheck(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 30, 10, 0, time.UTC)
	codes, hashes, err := NewRecoveryCodes(counting(0))
	if err != nil {
		t.Fatal(err)
	}
	codes2, _, err := NewRecoveryCodes(counting(128))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount || len(codes[0]) != 29 {
		t.Fatalf("recovery codes %d/%d of length %d, want %d of 29 (six groups of four)", len(codes), len(hashes), len(codes[0]), RecoveryCodeCount)
	}
	f := SecondFactor{Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", RecoveryHashes: hashes}

	if ok, rec := f.Check(userstest.AppCode(t, f.Secret, now), now); !ok || rec {
		t.Fatalf("the current code: ok=%v recovery=%v", ok, rec)
	}
	if ok, _ := f.Check(userstest.AppCode(t, f.Secret, now), now.Add(10*time.Second)); ok {
		t.Error("the same code was accepted twice")
	}
	typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", " "))
	if ok, rec := f.Check(typed, now); !ok || !rec {
		t.Errorf("recovery code typed in capitals with spaces: ok=%v recovery=%v", ok, rec)
	}
	if len(f.RecoveryHashes) != RecoveryCodeCount-1 {
		t.Errorf("%d recovery codes left after one was used, want %d", len(f.RecoveryHashes), RecoveryCodeCount-1)
	}
	if ok, _ := f.Check(codes[3], now); ok {
		t.Error("a recovery code was accepted twice")
	}
	if ok, _ := f.Check(codes2[0], now); ok {
		t.Error("another account's recovery code was accepted")
	}
	if ok, _ := f.Check(codes[4], now); !ok {
		t.Error("an unused recovery code was refused")
	}
}

func TestSecondFactorPolicy(t *testing.T) {
	admin, caseworker := &User{Role: auth.RoleAdmin}, &User{Role: auth.RoleCaseworker}
	for _, tt := range []struct {
		flag                  string
		admin, caseworkerMust bool
	}{
		{"admins", true, false},
		{"everyone", true, true},
		{"optional", false, false},
	} {
		p, err := ParseSecondFactorPolicy(tt.flag)
		if err != nil {
			t.Fatal(err)
		}
		if p.String() != tt.flag || p.Requires(admin) != tt.admin || p.Requires(caseworker) != tt.caseworkerMust {
			t.Errorf("%s: String %q, admin %v, caseworker %v", tt.flag, p, p.Requires(admin), p.Requires(caseworker))
		}
	}
	if _, err := ParseSecondFactorPolicy("none"); err == nil {
		t.Error(`"none" was accepted`)
	}
	var zero SecondFactorPolicy
	if !zero.Requires(admin) {
		t.Error("the zero policy does not require administrators to use two-step verification")
	}
}

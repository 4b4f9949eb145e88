package cases_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// releasedCase is an access case whose pack was released at as()'s time,
// 2026-02-20 12:00 UK.
func releasedCase(t *testing.T) *cases.Case {
	t.Helper()
	c := accessCase(t)
	readyPack(c)
	runSteps(t, c, []step{
		{caseworkerAlice, cases.SubmitForReview{}}, {caseworkerBob, cases.ApproveReview{}}, {caseworkerAlice, cases.ReleasePack{}},
	})
	return c
}

// releasedOn is when releasedCase released its pack.
var releasedOn = as("").Now

// requesterAt is the status page acting at released + after.
func requesterAt(after time.Duration) cases.Env {
	env := as(cases.RequesterActor)
	env.Now = releasedOn.Add(after)
	return env
}

var (
	codeHash  = bytes.Repeat([]byte{7}, 32)
	otherHash = bytes.Repeat([]byte{8}, 32)
)

func TestPackOffer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(c *cases.Case)
		after time.Duration
		want  cases.PackOffer
	}{
		{"released, with an email address", nil, time.Hour, cases.PackOnline},
		{"on the last moment of the window", nil, cases.PackAvailableFor - time.Nanosecond, cases.PackOnline},
		{"once the window has passed", nil, cases.PackAvailableFor, cases.PackNoLongerOnline},
		{"no email address: by post", func(c *cases.Case) {
			c.Requester.Person.Email, c.Requester.Person.PostalAddress = "", "1 High Street"
		}, time.Hour, cases.PackByPost},
		{"not released", func(c *cases.Case) { c.Review = nil }, time.Hour, cases.PackNotReady},
		{"changed since its approval", func(c *cases.Case) { c.Documents = c.Documents[:1] }, time.Hour, cases.PackNotReady},
		{"downloaded as often as allowed", func(c *cases.Case) {
			c.Delivery = &cases.PackDelivery{Downloads: make([]time.Time, cases.MaxPackDownloads)}
		}, time.Hour, cases.PackNoLongerOnline},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := releasedCase(t)
			if tc.setup != nil {
				tc.setup(c)
			}
			if got := c.PackOffer(releasedOn.Add(tc.after)); got != tc.want {
				t.Errorf("offer %q; want %q", got, tc.want)
			}
		})
	}
}

func TestPackLastDayIsTheUKDayBeforeTheWindowCloses(t *testing.T) {
	c := releasedCase(t)
	// Released 2026-02-20 at noon: available for 30 days, to noon on
	// 2026-03-22, which is the last day it can be downloaded.
	if day, ok := c.PackLastDay(); !ok || day != "2026-03-22" {
		t.Fatalf("last day %q, %v; want 2026-03-22", day, ok)
	}
	c.Review = nil
	if day, ok := c.PackLastDay(); ok {
		t.Fatalf("unreleased pack has a last day %q", day)
	}
}

// try sends the code hash at released + after and records the outcome as
// the use case does: a download when it works, a refusal otherwise.
func try(t *testing.T, c *cases.Case, hash []byte, after time.Duration) bool {
	t.Helper()
	env := requesterAt(after)
	if c.DeliveryCodeWorks(hash, env.Now) {
		if _, err := cases.Apply(c, cases.DownloadPack{Hash: hash}, env); err != nil {
			t.Fatalf("download with a working code: %v", err)
		}
		return true
	}
	if _, err := cases.Apply(c, cases.RefuseDeliveryCode{}, env); err != nil {
		t.Fatalf("recording a refused code: %v", err)
	}
	return false
}

func send(t *testing.T, c *cases.Case, hash []byte, after time.Duration) {
	t.Helper()
	if _, err := cases.Apply(c, cases.SendDeliveryCode{Hash: hash}, requesterAt(after)); err != nil {
		t.Fatalf("send a code: %v", err)
	}
}

func TestDeliveryCodeRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		// run sends codes and tries them; it returns whether the last try worked.
		run       func(t *testing.T, c *cases.Case) bool
		want      bool
		downloads int
	}{
		{"the right code within its life", func(t *testing.T, c *cases.Case) bool {
			send(t, c, codeHash, time.Hour)
			return try(t, c, codeHash, time.Hour+cases.DeliveryCodeLife-time.Second)
		}, true, 1},
		{"an expired code", func(t *testing.T, c *cases.Case) bool {
			send(t, c, codeHash, time.Hour)
			return try(t, c, codeHash, time.Hour+cases.DeliveryCodeLife)
		}, false, 0},
		{"a code used once already", func(t *testing.T, c *cases.Case) bool {
			send(t, c, codeHash, time.Hour)
			try(t, c, codeHash, time.Hour+time.Minute)
			return try(t, c, codeHash, time.Hour+2*time.Minute)
		}, false, 1},
		{"a wrong code", func(t *testing.T, c *cases.Case) bool {
			send(t, c, codeHash, time.Hour)
			return try(t, c, otherHash, time.Hour+time.Minute)
		}, false, 0},
		{"no code asked for", func(t *testing.T, c *cases.Case) bool {
			return try(t, c, codeHash, time.Hour)
		}, false, 0},
		{"the right code after fewer wrong tries than allowed", func(t *testing.T, c *cases.Case) bool {
			send(t, c, codeHash, time.Hour)
			for range cases.DeliveryCodeAttempts - 1 {
				try(t, c, otherHash, time.Hour+time.Minute)
			}
			return try(t, c, codeHash, time.Hour+time.Minute)
		}, true, 1},
		{"the right code after the wrong tries spent it", func(t *testing.T, c *cases.Case) bool {
			send(t, c, codeHash, time.Hour)
			for range cases.DeliveryCodeAttempts {
				try(t, c, otherHash, time.Hour+time.Minute)
			}
			return try(t, c, codeHash, time.Hour+time.Minute)
		}, false, 0},
		{"a new code replaces the old one", func(t *testing.T, c *cases.Case) bool {
			send(t, c, codeHash, time.Hour)
			send(t, c, otherHash, time.Hour+time.Minute)
			return try(t, c, codeHash, time.Hour+2*time.Minute)
		}, false, 0},
		{"the right code once the pack's window has passed", func(t *testing.T, c *cases.Case) bool {
			send(t, c, codeHash, cases.PackAvailableFor-time.Minute)
			return try(t, c, codeHash, cases.PackAvailableFor)
		}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := releasedCase(t)
			if got := tc.run(t, c); got != tc.want {
				t.Fatalf("the last try worked: %v; want %v", got, tc.want)
			}
			if got := len(c.Delivery.Downloads); got != tc.downloads {
				t.Errorf("%d downloads recorded; want %d", got, tc.downloads)
			}
		})
	}
}

func TestDownloadPackRefusesACodeThatDoesNotWork(t *testing.T) {
	c := releasedCase(t)
	send(t, c, codeHash, time.Hour)
	_, err := cases.Apply(c, cases.DownloadPack{Hash: otherHash}, requesterAt(time.Hour))
	if !errors.Is(err, cases.ErrDeliveryCodeRefused) {
		t.Fatalf("download with a wrong code: %v; want ErrDeliveryCodeRefused", err)
	}
}

func TestSendDeliveryCodeRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(c *cases.Case)
		after time.Duration
		want  string
	}{
		{"not released", func(c *cases.Case) { c.Review = nil }, time.Hour, "has not been released"},
		{"by post", func(c *cases.Case) {
			c.Requester.Person.Email, c.Requester.Person.PostalAddress = "", "1 High Street"
		}, time.Hour, "goes by post"},
		{"the window has passed", nil, cases.PackAvailableFor, "can no longer be downloaded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := releasedCase(t)
			if tc.setup != nil {
				tc.setup(c)
			}
			_, err := cases.Apply(c, cases.SendDeliveryCode{Hash: codeHash}, requesterAt(tc.after))
			var refused *fault.FailedPrecondition
			if !errors.As(err, &refused) || !strings.Contains(refused.Description, tc.want) {
				t.Fatalf("got %v; want a refusal saying %q", err, tc.want)
			}
		})
	}
	c := releasedCase(t)
	if _, err := cases.Apply(c, cases.SendDeliveryCode{}, requesterAt(time.Hour)); err == nil {
		t.Fatal("a code with no hash was recorded")
	}
}

func TestDeliveryCodesAreLimitedPerHour(t *testing.T) {
	c := releasedCase(t)
	for i := range cases.DeliveryCodesPerHour {
		send(t, c, codeHash, time.Hour+time.Duration(i)*time.Minute)
	}
	_, err := cases.Apply(c, cases.SendDeliveryCode{Hash: codeHash}, requesterAt(time.Hour+59*time.Minute))
	var limit *cases.CodeLimitReached
	var refused *fault.FailedPrecondition
	if !errors.As(err, &limit) || !errors.As(err, &refused) || !limit.Next.Equal(releasedOn.Add(2*time.Hour)) {
		t.Fatalf("code over the limit: %v; want CodeLimitReached (a FailedPrecondition) with the next at %v", err, releasedOn.Add(2*time.Hour))
	}
	// An hour after the first, one more may be sent.
	send(t, c, codeHash, 2*time.Hour)
	if c.Delivery.CodesSentTotal != cases.DeliveryCodesPerHour+1 || len(c.Delivery.CodesSent) != cases.DeliveryCodesPerHour {
		t.Errorf("sent %d in all, %d in the last hour; want %d and %d", c.Delivery.CodesSentTotal, len(c.Delivery.CodesSent), cases.DeliveryCodesPerHour+1, cases.DeliveryCodesPerHour)
	}
}

func TestDeliveryAuditHoldsCountsOnly(t *testing.T) {
	c := releasedCase(t)
	ch, err := cases.Apply(c, cases.SendDeliveryCode{Hash: codeHash}, requesterAt(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ch.After["delivery_codes_sent"] != "1" || ch.Personal != nil {
		t.Errorf("change %+v; want the count of codes sent and nothing personal", ch)
	}
	ch, err = cases.Apply(c, cases.DownloadPack{Hash: codeHash}, requesterAt(time.Hour))
	if err != nil || ch.Action != "case.pack_downloaded" || ch.After["pack_downloads"] != "1" {
		t.Fatalf("download change %+v, %v; want pack_downloads 1", ch, err)
	}
	for _, m := range []map[string]string{ch.Before, ch.After} {
		for k, v := range m {
			if strings.Contains(v, string(codeHash)) {
				t.Errorf("audit field %s carries the code's hash", k)
			}
		}
	}
	assertNoPersonalData(t, ch)
}

func TestNewDeliveryCode(t *testing.T) {
	random := rand.NewChaCha8([32]byte{3})
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 1000 {
		code, err := cases.NewDeliveryCode(random)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != cases.DeliveryCodeDigits || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("code %q is not %d digits", code, cases.DeliveryCodeDigits)
		}
		seen[code] = true
		for _, r := range code {
			counts[r]++
		}
	}
	if len(seen) < 999 {
		t.Errorf("%d distinct codes in 1000", len(seen))
	}
	// 8000 digits: each of the ten should come up about 800 times.
	for r, n := range counts {
		if n < 650 || n > 950 {
			t.Errorf("digit %c drawn %d times in 8000; want about 800", r, n)
		}
	}
	if got := cases.NormaliseDeliveryCode(" 1234-5678 "); got != "12345678" {
		t.Errorf("normalised %q", got)
	}
	if got := cases.GroupDeliveryCode("12345678"); got != "1234 5678" {
		t.Errorf("grouped %q", got)
	}
}

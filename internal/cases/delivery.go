package cases

import (
	"crypto/subtle"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// A released response pack reaches a requester who gave an email address
// through the status page: they ask for a one-time code, it is emailed to
// the address on the case, and the right code starts the download. The
// case keeps only a keyed hash of the code (the caller hashes it: the key is
// the installation's, which the domain never holds). Postal requesters get
// the printed pack and are offered no code.
//
// The rules, stated once here for every door:
const (
	// PackAvailableFor is how long after its release a pack can be
	// downloaded; after that the requester asks for it again.
	PackAvailableFor = 30 * 24 * time.Hour
	// DeliveryCodeLife is how long a one-time code works.
	DeliveryCodeLife = 15 * time.Minute
	// DeliveryCodeAttempts is how many wrong tries a code survives: the
	// last wrong one spends it, and a new one must be asked for.
	DeliveryCodeAttempts = 5
	// DeliveryCodesPerHour bounds the codes one case sends in any hour,
	// so the requester's inbox cannot be flooded from the status page.
	DeliveryCodesPerHour = 3
	// MaxPackDownloads bounds the downloads of one pack; past it the
	// requester asks for it again. It also bounds what the case records.
	MaxPackDownloads = 20
	// DeliveryCodeDigits is the length of a one-time code.
	DeliveryCodeDigits = 8
)

// PackDelivery is how a released pack has been handed to its requester
// online. It holds no code, only the current code's hash.
type PackDelivery struct {
	// Code is the one code that works now; nil once used, spent by wrong
	// tries, or before any was asked for.
	Code *DeliveryCode `json:"code,omitempty"`
	// CodesSent are when the codes of the last hour were sent, for
	// DeliveryCodesPerHour; CodesSentTotal counts every one.
	CodesSent      []time.Time `json:"codes_sent,omitempty"`
	CodesSentTotal int         `json:"codes_sent_total,omitempty"`
	// FailedAttempts counts every code refused, for staff.
	FailedAttempts int `json:"failed_attempts,omitempty"`
	// Downloads are when the requester downloaded the pack.
	Downloads []time.Time `json:"downloads,omitempty"`
}

// DeliveryCode is a one-time code as kept: its keyed hash, when it stops
// working and the wrong tries made against it.
type DeliveryCode struct {
	Hash     []byte    `json:"hash"`
	Expires  time.Time `json:"expires"`
	Attempts int       `json:"attempts,omitempty"`
}

// PackOffer is what the status page can offer the requester of a pack.
type PackOffer string

const (
	// PackNotReady: no pack has been released.
	PackNotReady PackOffer = ""
	// PackOnline: the pack can be downloaded after a one-time code.
	PackOnline PackOffer = "online"
	// PackByPost: the requester gave no email address, so no code can
	// reach them; the pack goes by post.
	PackByPost PackOffer = "post"
	// PackNoLongerOnline: the pack was released more than
	// PackAvailableFor ago, or downloaded MaxPackDownloads times.
	PackNoLongerOnline PackOffer = "expired"
)

// PackReleasedAt is when the response pack was released, and false while
// the requester may not have it (PackReleased).
func (c *Case) PackReleasedAt() (time.Time, bool) {
	if !c.PackReleased() {
		return time.Time{}, false
	}
	step := c.Review.last(ReviewReleased)
	if step == nil {
		return time.Time{}, false
	}
	return step.On, true
}

// PackAvailableUntil is when the released pack stops being downloadable,
// and false while no pack is released.
func (c *Case) PackAvailableUntil() (time.Time, bool) {
	released, ok := c.PackReleasedAt()
	if !ok {
		return time.Time{}, false
	}
	return released.Add(PackAvailableFor), true
}

// PackLastDay is the last UK calendar day the released pack can be
// downloaded (YYYY-MM-DD), as letters and pages say it, and false while no
// pack is released.
func (c *Case) PackLastDay() (string, bool) {
	until, ok := c.PackAvailableUntil()
	if !ok {
		return "", false
	}
	return deadline.DateOf(until.Add(-time.Nanosecond).In(london)).String(), true
}

// PackOffer says what the status page offers the requester at now.
func (c *Case) PackOffer(now time.Time) PackOffer {
	until, ok := c.PackAvailableUntil()
	switch {
	case !ok || c.Purged != nil:
		return PackNotReady
	case c.Requester.Person.Email == "":
		return PackByPost
	case !now.Before(until) || (c.Delivery != nil && len(c.Delivery.Downloads) >= MaxPackDownloads):
		return PackNoLongerOnline
	}
	return PackOnline
}

// NewDeliveryCode draws a one-time code of DeliveryCodeDigits digits, each
// equally likely, from random (crypto/rand in production).
func NewDeliveryCode(random io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < DeliveryCodeDigits {
		if _, err := io.ReadFull(random, buf); err != nil {
			return "", fmt.Errorf("new delivery code: %w", err)
		}
		if buf[0] >= 250 { // rejection sampling: 250 to 255 would make 0 to 5 likelier
			continue
		}
		b.WriteByte('0' + buf[0]%10)
	}
	return b.String(), nil
}

// NormaliseDeliveryCode is a code as a person types or pastes it, with the
// spaces and dashes between groups taken out; anything else is kept, so a
// mistyped code still fails to match.
func NormaliseDeliveryCode(code string) string { return NormaliseStatusCode(code) }

// GroupDeliveryCode shows a code for reading: "1234 5678".
func GroupDeliveryCode(code string) string { return GroupStatusCode(code) }

// CodeLimitReached is the refusal of a code asked for when the case has
// sent DeliveryCodesPerHour in the last hour; doors that can say "try
// later" (429) find it with errors.As, others see its FailedPrecondition.
type CodeLimitReached struct {
	// Next is when the next code may be asked for, Wait how long that is.
	Next  time.Time
	Wait  time.Duration
	cause *fault.FailedPrecondition
}

func (e *CodeLimitReached) Error() string { return e.cause.Error() }
func (e *CodeLimitReached) Unwrap() error { return e.cause }

// ErrDeliveryCodeRefused is the one answer to a code that does not work,
// whatever the reason: wrong, expired, used, spent, or another case's. One
// answer tells someone guessing nothing.
var ErrDeliveryCodeRefused = fault.Invalid("code",
	"That code does not work. Codes work once, for %d minutes. Check the code in our latest email, or ask for a new one",
	int(DeliveryCodeLife/time.Minute))

// checkPackOnline refuses a step of online delivery when the pack cannot
// be downloaded.
func (c *Case) checkPackOnline(now time.Time) error {
	switch c.PackOffer(now) {
	case PackOnline:
		return nil
	case PackByPost:
		return &fault.FailedPrecondition{Subject: c.Name(), Description: "the response goes by post: there is no email address to send a code to"}
	case PackNoLongerOnline:
		return &fault.FailedPrecondition{Subject: c.Name(), Description: "the response can no longer be downloaded: contact us to ask for it again"}
	}
	return &fault.FailedPrecondition{Subject: c.Name(), Description: "the response has not been released yet"}
}

// SendDeliveryCode records a one-time code sent to the requester: Hash is
// its keyed hash, made by the caller, who emails the code itself in the
// same transaction. A new code replaces any earlier one.
type SendDeliveryCode struct {
	Hash []byte
}

// Action implements Command.
func (SendDeliveryCode) Action() string { return "case.delivery_code_sent" }

func (cmd SendDeliveryCode) apply(c *Case, env Env) (map[string]any, error) {
	if len(cmd.Hash) == 0 {
		return nil, fault.Invalid("hash", "a delivery code is kept by its hash, and none was given")
	}
	if err := c.checkPackOnline(env.Now); err != nil {
		return nil, err
	}
	d := c.delivery()
	d.CodesSent = slices.DeleteFunc(d.CodesSent, func(t time.Time) bool { return !env.Now.Before(t.Add(time.Hour)) })
	if len(d.CodesSent) >= DeliveryCodesPerHour {
		next := d.CodesSent[0].Add(time.Hour)
		return nil, &CodeLimitReached{Next: next, Wait: next.Sub(env.Now), cause: &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf(
			"%d codes have been sent in the last hour, the most we send: a new one can be sent after %s", DeliveryCodesPerHour, next.In(london).Format("15:04"))}}
	}
	d.CodesSent = append(d.CodesSent, env.Now)
	d.CodesSentTotal++
	d.Code = &DeliveryCode{Hash: slices.Clone(cmd.Hash), Expires: env.Now.Add(DeliveryCodeLife)}
	return nil, nil
}

// DeliveryCodeWorks reports whether hash is the hash of the code that works
// now, compared in constant time. It changes nothing: DownloadPack and
// RefuseDeliveryCode record the outcome.
func (c *Case) DeliveryCodeWorks(hash []byte, now time.Time) bool {
	if c.checkPackOnline(now) != nil || c.Delivery == nil || c.Delivery.Code == nil {
		return false
	}
	code := c.Delivery.Code
	live := now.Before(code.Expires) && code.Attempts < DeliveryCodeAttempts
	return subtle.ConstantTimeCompare(hash, code.Hash) == 1 && live
}

// DownloadPack records that the requester, with the code whose keyed hash
// is Hash, started downloading the pack. The code is spent.
type DownloadPack struct {
	Hash []byte
}

// Action implements Command.
func (DownloadPack) Action() string { return "case.pack_downloaded" }

func (cmd DownloadPack) apply(c *Case, env Env) (map[string]any, error) {
	if !c.DeliveryCodeWorks(cmd.Hash, env.Now) {
		return nil, ErrDeliveryCodeRefused
	}
	d := c.delivery()
	d.Code = nil
	d.Downloads = append(d.Downloads, env.Now)
	return nil, nil
}

// RefuseDeliveryCode records a code that did not work (DeliveryCodeWorks
// said so): one more wrong try against the code that works now, which the
// last allowed one spends.
type RefuseDeliveryCode struct{}

// Action implements Command.
func (RefuseDeliveryCode) Action() string { return "case.delivery_code_refused" }

func (RefuseDeliveryCode) apply(c *Case, env Env) (map[string]any, error) {
	d := c.delivery()
	d.FailedAttempts++
	if d.Code != nil {
		d.Code.Attempts++
		if d.Code.Attempts >= DeliveryCodeAttempts || !env.Now.Before(d.Code.Expires) {
			d.Code = nil
		}
	}
	return nil, nil
}

func (c *Case) delivery() *PackDelivery {
	if c.Delivery == nil {
		c.Delivery = &PackDelivery{}
	}
	return c.Delivery
}

package users

import "time"

// Lockout slows password guessing: after FreeAttempts failures in a row the
// account locks for FirstLock, and each further failure doubles the lock up
// to MaxLock. Attempts while locked are refused without checking the
// password and do not lengthen the lock, so an attacker cannot keep a
// colleague out for longer than MaxLock at a time. A successful sign-in
// clears the count.
type Lockout struct {
	FreeAttempts int
	FirstLock    time.Duration
	MaxLock      time.Duration
}

// DefaultLockout allows five tries, then locks for a minute, two, four…
// up to an hour: a person who mistypes is barely slowed, while a guesser
// gets a few dozen tries a day.
var DefaultLockout = Lockout{FreeAttempts: 5, FirstLock: time.Minute, MaxLock: time.Hour}

// lockFor is how long the account locks after the given number of failures
// in a row; zero while failures are still free.
func (l Lockout) lockFor(failures int) time.Duration {
	if failures < l.FreeAttempts {
		return 0
	}
	d := l.FirstLock
	for range failures - l.FreeAttempts {
		if d >= l.MaxLock/2 {
			return l.MaxLock
		}
		d *= 2
	}
	return min(d, l.MaxLock)
}

// CountAttempt records an attempt as failed before its password is checked,
// so concurrent guesses each count even while their checks run; a correct
// password clears the count afterwards.
func (l Lockout) CountAttempt(u *User, now time.Time) {
	u.Failures++
	if d := l.lockFor(u.Failures); d > 0 {
		u.LockedUntil = now.Add(d)
	}
}

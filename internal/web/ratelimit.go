package web

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a token bucket per client: Burst requests at once, then one
// more every Every.
type Limiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[netip.Prefix]*rate.Limiter
}

// maxTrackedClients bounds the limiter's memory; past it, clients whose
// bucket has refilled are forgotten, which costs them nothing.
const maxTrackedClients = 10000

// NewLimiter returns a limiter allowing burst requests at once and one more
// every interval.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, clients: map[netip.Prefix]*rate.Limiter{}}
}

// Allow spends one of the client's requests. When none is left it says how
// long until the next one.
func (l *Limiter) Allow(r *http.Request) (ok bool, retryAfter time.Duration) {
	now := time.Now()
	key := clientKey(r)
	l.mu.Lock()
	lim := l.clients[key]
	if lim == nil {
		if len(l.clients) >= maxTrackedClients {
			l.forgetIdle(now)
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.clients[key] = lim
	}
	l.mu.Unlock()
	res := lim.ReserveN(now, 1)
	if delay := res.DelayFrom(now); delay > 0 {
		res.CancelAt(now)
		return false, delay
	}
	return true, 0
}

func (l *Limiter) forgetIdle(now time.Time) {
	for k, lim := range l.clients {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.clients, k)
		}
	}
}

// clientKey is the address a request came from. An IPv6 client usually
// holds a whole /64, so it is limited as one.
//
// It is the TCP peer's address: behind a reverse proxy every client shares
// the proxy's, so such a deployment must rate-limit at the proxy.
func clientKey(r *http.Request) netip.Prefix {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	addr = addr.Unmap()
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, _ := addr.Prefix(bits)
	return p
}

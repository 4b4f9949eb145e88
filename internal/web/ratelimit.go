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
// more every Every. A client is its address (Allow, AllowAddress) or any
// other key its caller chooses (AllowKey), such as an API token's id.
type Limiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[string]*rate.Limiter
}

// maxTrackedClients bounds the limiter's memory; past it, clients whose
// bucket has refilled are forgotten, which costs them nothing.
const maxTrackedClients = 10000

// NewLimiter returns a limiter allowing burst requests at once and one more
// every interval.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, clients: map[string]*rate.Limiter{}}
}

// Allow spends one of the client's requests. When none is left it says how
// long until the next one.
func (l *Limiter) Allow(r *http.Request) (ok bool, retryAfter time.Duration) {
	return l.AllowKey(AddressKey(r.RemoteAddr))
}

// AllowAddress is Allow for a client known by its address ("host" or
// "host:port"), as a door that is not HTTP knows it.
func (l *Limiter) AllowAddress(addr string) (ok bool, retryAfter time.Duration) {
	return l.AllowKey(AddressKey(addr))
}

// AllowKey is Allow for the client key names.
func (l *Limiter) AllowKey(key string) (ok bool, retryAfter time.Duration) {
	now := time.Now()
	res := l.bucket(key, now).ReserveN(now, 1)
	if delay := res.DelayFrom(now); delay > 0 {
		res.CancelAt(now)
		return false, delay
	}
	return true, 0
}

// Spent reports whether the client key names has no request left now,
// and if so how long until it has one, without spending any: a door can
// refuse a client that keeps failing before doing the work that fails.
func (l *Limiter) Spent(key string) (spent bool, retryAfter time.Duration) {
	now := time.Now()
	lim := l.bucket(key, now)
	if lim.TokensAt(now) >= 1 {
		return false, 0
	}
	res := lim.ReserveN(now, 1)
	defer res.CancelAt(now)
	return true, res.DelayFrom(now)
}

// bucket is the client's bucket, made full the first time it is asked for.
func (l *Limiter) bucket(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.clients[key]
	if lim == nil {
		if len(l.clients) >= maxTrackedClients {
			l.forgetIdle(now)
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.clients[key] = lim
	}
	return lim
}

func (l *Limiter) forgetIdle(now time.Time) {
	for k, lim := range l.clients {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.clients, k)
		}
	}
}

// AddressKey is the key of a client at addr ("host" or "host:port"). An
// IPv6 client usually holds a whole /64, so it is limited as one; what is
// not an address at all shares one key.
//
// It is the TCP peer's address: behind a reverse proxy every client shares
// the proxy's, so such a deployment must rate-limit at the proxy.
func AddressKey(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return "address:unknown"
	}
	ip = ip.Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return "address:" + p.String()
}

package deadline

import (
	"maps"
	"slices"
	"strings"
)

// Regime is one legal clock.
type Regime interface {
	Name() string
	Calculate(req Request, cal *Calendars) (Result, error)
}

// Engine calculates deadlines under every regime against one set of
// calendars. It holds no mutable state, so one Engine serves concurrent
// calls as long as its Calendars is not changed.
type Engine struct {
	cal     *Calendars
	regimes map[string]Regime
}

// NewEngine returns an engine over cal, or over BuiltinCalendars when cal
// is nil.
func NewEngine(cal *Calendars) *Engine {
	if cal == nil {
		cal = BuiltinCalendars()
	}
	e := &Engine{cal: cal, regimes: map[string]Regime{}}
	for _, r := range []Regime{ukGDPR, euGDPR, ccpaRegime{}} {
		e.regimes[r.Name()] = r
	}
	return e
}

// Calculate works out a request's deadlines under its regime (UK GDPR when
// none is named). Every error it returns is a *FieldError.
func (e *Engine) Calculate(req Request) (Result, error) {
	if req.Regime == "" {
		req.Regime = UKGDPR
	}
	regime, ok := e.regimes[req.Regime]
	if !ok {
		return Result{}, fieldErrorf("regime", "unknown regime %q (known: %s)", req.Regime, strings.Join(e.Regimes(), ", "))
	}
	return regime.Calculate(req, e.cal)
}

// Regimes lists the regime names, sorted.
func (e *Engine) Regimes() []string {
	return slices.Sorted(maps.Keys(e.regimes))
}

package deadline

import (
	"maps"
	"slices"
	"strings"
)

// Regime is one legal clock.
type Regime interface {
	Name() string
	// Validate names every field of req the regime cannot work with.
	Validate(req Request, cal *Calendars) error
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
// none is named). Every error it returns is a *FieldError or FieldErrors.
func (e *Engine) Calculate(req Request) (Result, error) {
	regime, err := e.regime(req.Regime)
	if err != nil {
		return Result{}, err
	}
	return regime.Calculate(req, e.cal)
}

// Validate names every field of req that Calculate would refuse, without
// working anything out; the server uses it to name, beside fields it could
// not even parse, every other bad field in one answer.
func (e *Engine) Validate(req Request) error {
	regime, err := e.regime(req.Regime)
	if err != nil {
		return err
	}
	return regime.Validate(req, e.cal)
}

func (e *Engine) regime(name string) (Regime, error) {
	if name == "" {
		name = UKGDPR
	}
	regime, ok := e.regimes[name]
	if !ok {
		return nil, fieldErrorf("regime", "unknown regime %q (known: %s)", name, strings.Join(e.Regimes(), ", "))
	}
	return regime, nil
}

// Regimes lists the regime names, sorted.
func (e *Engine) Regimes() []string {
	return slices.Sorted(maps.Keys(e.regimes))
}

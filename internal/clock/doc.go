// Package clock (layer: domain) owns the injected source of time. Domain code takes a Clock,
// never calls time.Now, so tests pin the date a deadline is measured from.
package clock

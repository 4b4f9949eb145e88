package deadline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// maxGOVUKBytes bounds an import. GOV.UK's file is about 20 KB; anything
// near this size is not a bank-holiday list.
const maxGOVUKBytes = 1 << 20

type govukDivision struct {
	Division string       `json:"division"`
	Events   []govukEvent `json:"events"`
}

type govukEvent struct {
	Title   string `json:"title"`
	Date    string `json:"date"`
	Notes   string `json:"notes"`
	Bunting bool   `json:"bunting"`
}

// ParseGOVUKBankHolidays reads GOV.UK's bank-holidays.json
// (https://www.gov.uk/bank-holidays.json). Every year that has events in a
// division becomes that (division, year) of the result; Merge it over
// BuiltinCalendars to extend or correct the built-in table. The input is
// checked strictly: unknown divisions or fields, a division that does not
// match its key, malformed or impossible dates, duplicate dates, empty
// titles, trailing data and inputs over 1 MiB are all refused.
func ParseGOVUKBankHolidays(r io.Reader) (*Calendars, error) {
	divisions, err := decodeGOVUK(r)
	if err != nil {
		return nil, err
	}
	if len(divisions) == 0 {
		return nil, errors.New("bank holidays: no divisions")
	}
	cal := &Calendars{}
	for _, key := range slices.Sorted(maps.Keys(divisions)) {
		holidays, err := govukHolidays(key, divisions[key])
		if err != nil {
			return nil, err
		}
		cal.AddRegion(key, holidays)
	}
	return cal, nil
}

func decodeGOVUK(r io.Reader) (map[string]govukDivision, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxGOVUKBytes+1))
	if err != nil {
		return nil, fmt.Errorf("bank holidays: reading: %w", err)
	}
	if len(data) > maxGOVUKBytes {
		return nil, fmt.Errorf("bank holidays: input is larger than %d bytes", maxGOVUKBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var divisions map[string]govukDivision
	if err := dec.Decode(&divisions); err != nil {
		return nil, fmt.Errorf("bank holidays: not GOV.UK bank-holidays JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("bank holidays: unexpected data after the JSON object")
	}
	return divisions, nil
}

func govukHolidays(key string, div govukDivision) ([]Holiday, error) {
	if _, ok := ukDivisions[key]; !ok {
		return nil, fmt.Errorf("bank holidays: unknown division %q (want %s, %s or %s)", key, EnglandAndWales, Scotland, NorthernIreland)
	}
	if div.Division != key {
		return nil, fmt.Errorf("bank holidays: %s: division field is %q", key, div.Division)
	}
	if len(div.Events) == 0 {
		return nil, fmt.Errorf("bank holidays: %s: no events", key)
	}
	seen := map[Date]bool{}
	holidays := make([]Holiday, 0, len(div.Events))
	for i, ev := range div.Events {
		h, err := govukHoliday(ev)
		if err != nil {
			return nil, fmt.Errorf("bank holidays: %s event %d: %w", key, i, err)
		}
		if seen[h.Date] {
			return nil, fmt.Errorf("bank holidays: %s event %d: %s listed twice", key, i, h.Date)
		}
		seen[h.Date] = true
		holidays = append(holidays, h)
	}
	return holidays, nil
}

// govukHoliday turns one event into a Holiday, naming substitute and other
// annotated days the way the built-in table does: "Boxing Day (substitute day)".
func govukHoliday(ev govukEvent) (Holiday, error) {
	d, err := ParseDate(ev.Date)
	if err != nil {
		return Holiday{}, err
	}
	if d.Year < minYear || d.Year > maxYear {
		return Holiday{}, fmt.Errorf("date %s: year outside %d–%d", d, minYear, maxYear)
	}
	title := strings.TrimSpace(ev.Title)
	if title == "" {
		return Holiday{}, fmt.Errorf("date %s: empty title", d)
	}
	if notes := strings.TrimSpace(ev.Notes); notes != "" {
		title += " (" + strings.ToLower(notes) + ")"
	}
	return Holiday{Date: d, Name: title}, nil
}

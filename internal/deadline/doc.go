// Package deadline (layer: domain) owns the statutory clock: when a rights request's clock
// starts, when the response is due, when an extension must be notified, and
// a plain-English, step-by-step explanation of how each date was reached that
// can be shown to a requester or a regulator. It also owns the holiday
// calendars the clock runs on and the triage standing (RAG) of a due date.
//
// It must not touch storage, transport or the clock: "today" is always a
// parameter, and nothing in this package calls time.Now.
//
// # Regimes and rule sets
//
// UK GDPR (the default), EU GDPR and the CCPA sit behind the Regime
// interface. Each regime picks a rule set by the date the request was
// received — uk-gdpr/2018-05-25 before 5 Feb 2026, uk-gdpr/2026-02-05 (Art
// 12A, Data (Use and Access) Act 2025) from then — and records its ID in the
// Result, so a later change in the law adds a rule set rather than silently
// rewriting old deadlines. Requests received before a regime's first rule
// set (25 May 2018 for the GDPRs, 1 Jan 2020 for the CCPA) are refused.
//
// # UK and EU GDPR
//
// The clock starts on the latest of receipt, identity received and fee
// received. The due date is the same date next month, or that month's last
// day if it has no such date (31 Jan → 28/29 Feb). Clarification pauses add
// calendar days to that unrolled date — the clock stops; it does not gain
// working days — with both end days excluded (Answered − Asked + 1 days, or
// Answered − Asked with the cautious setting). Only days from the clock start
// count. The pause applies to the period as extended (Art 12A; DPA 2018
// s.54(3C)): one asked after the first month has ended counts when an
// extension is in place and moves the extended date; one asked after the
// period that applies has ended is refused. The result then moves off a
// Saturday, Sunday or holiday to the next working day. An extension counts
// three months (or two) from the clock start, adds the same paused days and
// rolls the same way; it must be granted, and the requester told, by the end
// of the first month counting only the pauses asked within it. An optional
// internal target counts calendar days from the start (plus paused days) and
// rolls back, never forward. EU GDPR follows Regulation 1182/71, which gives
// the same arithmetic, over a member-state calendar supplied as data.
//
// # CCPA
//
// Receipt must be confirmed within 10 business days (Monday to Friday, less
// the region's holidays when a region is given); the response is due 45
// calendar days after receipt, extendable once by 45 days if the consumer is
// told within the first 45. Calendar-day dates are not rolled. Verification
// and fees do not move the start, and there are no clarification pauses.
//
// # Calendars and years without published data
//
// BuiltinCalendars holds GOV.UK's published bank holidays for 2024–2027 for
// England and Wales, Scotland and Northern Ireland (holidays_table.go). For
// other years the UK divisions fall back to the standing rules (Easter by the
// Gregorian computus, the fixed Mondays, the fixed dates and their substitute
// days; rules.go) rather than refusing, because a case must always have a
// date. A one-off holiday, such as a coronation or a moved early-May
// holiday, cannot be derived, so whenever a calculation relies on a computed
// year its explanation says so. A test checks that the rules reproduce the
// published table exactly. Importing GOV.UK's bank-holidays.json and merging
// it over the built-in table replaces computed years with published ones.
// Regions added as data (EU member states, us-ca) have no rules: a
// calculation that reaches a year they have no data for is refused rather
// than guessed.
//
// A Calendars is read-only once an Engine uses it, so one Engine serves
// concurrent calls; Merge returns a new Calendars instead of changing one.
//
// # Triage
//
// StandingOn counts calendar and working days left. The RAG bands are: red
// when overdue or with 5 working days or fewer left (including due today),
// amber with 6 to 10, green with more than 10.
//
// Every validation error from Calculate and StandingOn is a *FieldError
// naming the request field at fault. No input makes the package panic.
package deadline

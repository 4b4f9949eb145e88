// Package report (layer: domain) owns the figures the privacy team reports to the DPO and
// the board: open cases by state and by right, cases due this week and
// overdue, cases closed on time and late per month over the last twelve
// months, the median days to close and the extensions used, and the
// server-rendered SVG bar charts that show them.
//
// Everything here is a pure function of the cases and the date: the caller
// feeds cases in (from casework.Service.EachCase) and renders the result.
// The package must not read the store, the clock or any transport, and the
// charts must stay readable without colour, JavaScript or a chart library:
// every bar carries its value as text, series differ by pattern, and each
// chart has a <title> and a <desc> that reads out its data.
package report

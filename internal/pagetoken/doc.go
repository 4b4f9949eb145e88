// Package pagetoken (layer: a leaf both doors use) writes and reads the
// page tokens of lists: the API's page_token (internal/server) and the
// staff queue's page links (internal/web/staff). A token is opaque to its
// holder and bound to the query it continues, so a token reused with
// another filter or order is refused rather than read as a position in
// some other list.
//
// It owns only the token's format; what a cursor means is the use case's,
// and how a refusal is told is each door's. It imports nothing of ours.
package pagetoken

// Package web (layer: doors) owns what every Rightsdesk web page shares, for the public
// request form (package public) and the staff workspace alike: rendering
// html/template pages into the common layout, forms with an error summary
// linked to each field and the user's input kept, server-side sessions kept
// in the store, protection of every POST (cross-origin check plus a
// per-session anti-forgery token), per-client rate limits with a friendly
// 429 page, body size limits, security headers and the static assets.
//
// It must not make domain decisions or read cases itself: handlers in the
// sub-packages call internal/casework like every other door.
package web

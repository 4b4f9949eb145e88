// Package notify (layer: door support) owns outgoing email: reading the --smtp-url setting and
// sending a message (plain text, with an optional HTML alternative and a
// caller's Message-ID) through the configured relay with a real
// SMTP client library (go-mail), under a timeout.
//
// It knows nothing about cases or pages: callers compose the message.
package notify

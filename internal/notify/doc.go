// Package notify (layer: door support) owns outgoing email: reading the --smtp-url setting and
// sending a plain-text message through the configured relay with a real
// SMTP client library (go-mail), under a timeout.
//
// It knows nothing about cases or pages: callers compose the message.
package notify

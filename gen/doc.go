// Package gen (layer: generated API) holds the code and documents generated from proto/ by
// `make generate`. Nothing here is edited by hand except embed.go and this file.
package gen

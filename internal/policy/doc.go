// Package policy (layer: contract, beside the use cases) says who may do
// what. The API's protos declare it once, per RPC, as the
// (rightsdesk.v1.required_role) method option; this package reads those
// declarations so that every door asks the same table: the gRPC
// interceptor for each call, and the staff web pages for each page and
// action, which name the RPC they stand for.
//
// It must not know about transports beyond the proto descriptors, and must
// not hold a second list of roles.
package policy

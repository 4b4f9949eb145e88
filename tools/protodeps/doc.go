// Command protodeps (layer: tooling) writes the googleapis .proto files
// the protos import that no Go module ships as source (google/api's
// field_behavior.proto and resource.proto), printed from the descriptors
// compiled into google.golang.org/genproto/googleapis/api, which the
// server links, so buf compiles against exactly the definitions the binary
// registers. make protodeps runs it into .protodeps (git-ignored). It must
// not be imported by the module it builds for.
package main

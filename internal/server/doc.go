// Package server (layer: doors) owns the transports: the gRPC services (thin: validate,
// call one domain function, return its result), the interceptors that run
// for every door (recovery, logging, metrics, validation, error mapping), the
// REST gateway that dials the real gRPC server, the operational HTTP
// endpoints, and start-up and graceful shutdown. All error mapping happens in
// errors.go; gatewayerrors.go adds what only HTTP has (WWW-Authenticate,
// 405 with Allow) to the statuses it produced. It must not hold domain
// rules or storage details.
package server

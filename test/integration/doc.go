// Package integration tests modelci's Dagger functions through a real
// Dagger engine: with the dagger CLI (`dagger call …`) and with the Go SDK.
//
// The tests need the engine that scripts/engine starts and the local Python
// image it publishes; ./scripts/test starts both and runs them with
// `go test -tags integration`. Without the tag the package is empty.
package integration

// Package openblas is the cgo shim over the system OpenBLAS used by package
// blas when built with the tag openblas (needs cgo and libopenblas-dev).
// It lives apart because a package cannot mix cgo and Go assembly.
// Without the tag the package is empty.
package openblas

// Package api holds the description of docsearch's HTTP API
// (openapi.yaml, OpenAPI 3.1), which the server serves at
// /api/openapi.yaml.
package api

import _ "embed"

// OpenAPI is openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

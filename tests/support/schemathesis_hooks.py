"""Schemathesis hooks for tests/registry_openapi_test.ts: publish bodies are raw bytes."""
import schemathesis

# A package is published as its bytes with Content-Type: application/wasm.
schemathesis.serializer.alias("application/wasm", "application/octet-stream")

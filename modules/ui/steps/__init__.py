"""One renderer per step type; each reads input, calls a service, and renders."""

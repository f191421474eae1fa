"""HTTP handlers: parse the request, call the pure core, render. No logic of their own."""

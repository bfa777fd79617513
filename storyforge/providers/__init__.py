"""Image providers: a plain registry from name to implementation."""

"""The client runtime that clientgen copies verbatim into every generated package."""

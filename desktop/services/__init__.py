"""Use-cases: keyword-only functions, one unit of work each, returning plain domain objects."""

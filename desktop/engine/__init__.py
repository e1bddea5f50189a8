"""Pure calculation: parameter packs, provenance-carrying figures and one module per guideline."""

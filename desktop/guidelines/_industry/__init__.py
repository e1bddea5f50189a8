"""Methods the 2024 industry guidelines (cement clinker, aluminium smelting; steel later) have in common:
fuel combustion by the carbon-content method, and the 2024–2025 allocation of the industrial sectors.

Not a guideline itself (its name starts with an underscore, so the registry passes it by); the field and
figure ids it names are declared by every guideline form that uses it.
"""

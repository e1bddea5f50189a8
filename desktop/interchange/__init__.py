"""Reading and writing CarbonDesk's JSON report format (the shape the CLI reads and the app exports)."""

"""Writes of partner scores and compliance, one module per area: `policy` (the weights and
thresholds), `scores` (computing and keeping scores), `prospects` (candidates' figures),
`compliance` (breaches, warnings, automatic suspension, overrides, resuming)."""

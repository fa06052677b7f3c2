"""Input of the assistance screens, one module per topic: `cases` (intake), `policy`,
`review`. Cleaning and validation only; the services decide."""

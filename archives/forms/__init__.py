"""Input of the archives app, one module per topic: `listing` (the list, its search and
export, the merge), `contact`, `exits`, `reverify`. Cleaning and validation only."""

"""The assistance screens, one module per topic: `cases` (intake), `policy`, `review`.
URLs are in `assistance/urls.py` only."""

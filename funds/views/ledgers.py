"""Funds views: ledgers."""

urlpatterns: list = []

"""Funds views: receipts."""

urlpatterns: list = []

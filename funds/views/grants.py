"""Funds views: grants."""

urlpatterns: list = []

"""Funds views: payments."""

urlpatterns: list = []

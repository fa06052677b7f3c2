"""Archive views: exits."""

urlpatterns: list = []

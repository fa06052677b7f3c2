"""Archive views: reverify."""

urlpatterns: list = []

"""Archive views: listing."""

urlpatterns: list = []

app_name = "assistance"

urlpatterns: list = []

from archives.views import exits, listing, reverify

app_name = "archives"

# Each view module lists its own routes: lists and the file (listing), re-verification
# and category changes (reverify), exits and objections (exits).
urlpatterns = [*listing.urlpatterns, *reverify.urlpatterns, *exits.urlpatterns]

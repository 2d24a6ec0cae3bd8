# Varnish in front of `kg serve` (Debian: apt-get install varnish), as the README's "HTTP
# caching, and a cache in front" describes: copy it where the user varnish can read it, and run
#   varnishd -a :80 -f /etc/varnish/kg.vcl -s malloc,256m
# and start kg serve with KG_TRUSTED_PROXIES=127.0.0.1 so each client keeps its own share.
# Varnish's built-in rules do the rest: GET and HEAD are cached for the max-age our
# Cache-Control gives, per Vary (Accept, Accept-Encoding); POST, and anything with
# Authorization or a cookie, goes straight through.
vcl 4.1;

backend kg {
    .host = "127.0.0.1";
    .port = "8000";
}

sub vcl_backend_response {
    # Never answer from an expired copy: after an update a client gets the new answer as
    # soon as max-age is over.
    set beresp.grace = 0s;
    # Keep the expired copy to revalidate it with its ETag: our server then answers 304
    # without running the query again, unless the store changed.
    set beresp.keep = 1h;
}

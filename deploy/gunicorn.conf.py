"""gunicorn settings for the Safeguarding CPD web process.

    gunicorn -c deploy/gunicorn.conf.py cpd.site.wsgi

Every value can be changed with an environment variable, so one file serves every machine.
Web processes keep no state of their own: run as many machines as you like behind a load
balancer, all pointing at the same DATABASE_URL and STORAGE_BACKEND.
"""

import multiprocessing
import os

# Where to listen. Behind a reverse proxy on the same machine keep 127.0.0.1; behind a load
# balancer on another machine use 0.0.0.0:8000 (and firewall the port).
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")

# Sync workers: each handles one request at a time, so a slow request never delays another
# in the same process. Pages spend most of their time in Python, not waiting, so about two
# per core (plus one) keeps the CPU busy. Each worker holds one database connection
# (CONN_MAX_AGE): workers x machines must stay below PostgreSQL's max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then, so a slow leak never grows without bound; the jitter stops
# them all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# Load the site once, in the master, and fork the workers from it (cpd/site/wsgi.py also
# imports every view there). A recycled worker then starts in milliseconds instead of
# spending about a second of CPU importing Django, the views and WeasyPrint again, which
# at a thousand requests a second was a third of the machine; and the workers share the
# imported code's memory. New code needs a restart, not a HUP: GUNICORN_PRELOAD=false
# loads it in each worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in {"0", "false", "no"}


def post_fork(server, worker):
    # A worker must never use a database connection the master opened and it inherited.
    from django.db import connections

    connections.close_all()


# Trust X-Forwarded-* only from the proxy in front (comma-separated addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Django logs each request itself (LOG_REQUESTS, JSON with the request id), so gunicorn's
# access log is off unless asked for; its error log goes to standard error.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The request line and headers a client may send (defaults are fine; stated for review).
limit_request_line = 8190
limit_request_fields = 100

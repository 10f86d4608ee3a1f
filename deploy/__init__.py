"""Running Ally in production: several replicas behind nginx on one PostgreSQL.

`replica.py` is the one command that starts a replica; `nginx/ally.conf` and `systemd/` are the
files a server uses; `nginx.py` renders that same nginx file for other ports and runs nginx
unprivileged; `cluster.py` puts it all together for the tests and `bench/load.py --replicas`.
Importing any of them needs the standard library only (the replica loads the app when it runs).
"""

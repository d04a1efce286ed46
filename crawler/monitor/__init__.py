"""Scheduling and monitoring: the daemon that crawls on time, and what watches its results.

``triggers`` turns a profile's ``schedule`` into an APScheduler trigger; ``jobstore`` keeps the
schedule in the archive database and carries the command line's pause/resume/run-now;
``daemon`` runs it; ``health`` judges each site's run history; ``notify`` sends what a run
found through apprise.
"""

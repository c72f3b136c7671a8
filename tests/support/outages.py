"""Real outages for tests: a task queue on a closed port, and servers that accept connections
but never answer (a hung Redis or PostgreSQL). Nothing is mocked: the clients really fail."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


@contextmanager
def unreachable_broker() -> Iterator[None]:
    """Tasks are published (not run in-process) to a broker on a closed port."""
    from cpps.config.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = CLOSED_PORT_URL, False
    # The connection and producer pools are built from broker_url on first use.
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = None
        app.amqp._producer_pool = None


@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP port whose connections complete (in the listen backlog) and then hear nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


@contextmanager
def unreachable_database() -> Iterator[None]:
    """The default database's server is gone: every new connection fails."""
    from django.db import connection

    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-directory/cpps.sqlite3"
    else:
        settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", "1"
    connection.close()
    try:
        yield
    finally:
        settings_dict.clear()
        settings_dict.update(saved)
        connection.close()


@contextmanager
def hung_postgresql(port: int, *, connect_timeout: int = 1) -> Iterator[None]:
    """New PostgreSQL connections go to `port` (a silent server) and give up after
    `connect_timeout` seconds; the connection already open in this thread is kept."""
    from django.db import connection

    settings_dict = connection.settings_dict
    saved = {**settings_dict, "OPTIONS": dict(settings_dict["OPTIONS"])}
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(port)
    settings_dict["OPTIONS"]["connect_timeout"] = connect_timeout
    try:
        yield
    finally:
        settings_dict.clear()
        settings_dict.update(saved)

"""The guard in conftest.py stops any test from reaching another machine (and lets local servers be)."""

from __future__ import annotations

import socket
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from conftest import NetworkUsed


def test_a_connection_to_another_machine_fails_loudly():
    with pytest.raises(NetworkUsed, match="192.0.2.1"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)  # TEST-NET-1: never routed


def test_a_name_lookup_fails_loudly():
    with pytest.raises(NetworkUsed, match="nominatim.openstreetmap.org"):
        urllib.request.urlopen("https://nominatim.openstreetmap.org/search?q=Kyiv", timeout=0.5)


def test_a_server_on_this_machine_is_reachable():
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/", timeout=5) as answer:
            assert answer.read() == b"hello"
    finally:
        thread.join(5)
        server.server_close()

"""Serve the latest report on loopback: what ``govpress serve`` runs beside the Prefect UI.

One file, read at each request (the report flow replaces it atomically), at ``/`` and
``/report.html``; everything else is 404, so nothing else beside the database is exposed. A
standard-library threading HTTP server in a daemon thread: it needs no dependency and stops
with the process.
"""

from __future__ import annotations

import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEFAULT_PORT = 4210


def _handler(report: Path) -> type[BaseHTTPRequestHandler]:
    class ReportHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path.split("?")[0] not in ("/", "/report.html"):
                self.send_error(HTTPStatus.NOT_FOUND, "only the report is served here: /report.html")
                return
            try:
                body = report.read_bytes()
            except FileNotFoundError:
                self.send_error(HTTPStatus.NOT_FOUND, f"no report yet at {report}: run `govpress report` or the report flow")
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # quiet: the serve terminal is for Prefect's lines
            pass

    return ReportHandler


class ReportServer:
    """``with ReportServer(path, port=0) as server: server.url`` -- the report at ``http://127.0.0.1:<port>/``."""

    def __init__(self, report: Path | str, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 any_port_if_taken: bool = True) -> None:
        self.report = Path(report)
        try:
            self.httpd = ThreadingHTTPServer((host, port), _handler(self.report))
        except OSError:
            # Another govpress serve (or anything) holds the port: serving the report elsewhere beats
            # refusing to start the deployments. The URL printed and linked says where.
            if not any_port_if_taken or port == 0:
                raise
            self.httpd = ThreadingHTTPServer((host, 0), _handler(self.report))
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="govpress-report", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "ReportServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "ReportServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

"""`rvucheck serve [--port 8765] [--host 127.0.0.1] [--open]`: the local web page (rvucheck.web)."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from rvucheck.errors import RvucheckError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="a local web page: check, audit, code lookup, data status")
    parser.add_argument("--port", type=int, default=8765, help="port on this computer (8765)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (127.0.0.1: this computer only)"
    )
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")
    parser.add_argument(
        "--config", type=Path, default=Path("rvucheck.toml"),
        help="the practice profile the page reads and saves the column mapping to (./rvucheck.toml)",
    )  # fmt: skip
    parser.add_argument("--max-upload-mb", type=int, default=200, help="largest upload in MB (200)")
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    # rvucheck.web sits above cli in the layers (it reuses the columns and check helpers), so the command
    # loads it at run time, as main.py loads every command module; without the web extra, main names it
    import uvicorn

    web = importlib.import_module("rvucheck.web.app")
    if not 0 < args.port < 65536:
        raise RvucheckError(f"--port {args.port}: give a port between 1 and 65535, e.g. 8765")
    if args.max_upload_mb <= 0:
        raise RvucheckError("--max-upload-mb must be 1 or more")
    _port_free(args.host, args.port)
    data_dir = Path(args.data_dir) if getattr(args, "data_dir", None) else None
    config = web.WebConfig(
        data_dir=data_dir, profile=args.config.resolve(), host=args.host, port=args.port,
        max_upload=args.max_upload_mb * 1024**2,
    )  # fmt: skip
    url = f"http://{'127.0.0.1' if args.host in LOOPBACK else args.host}:{args.port}/"
    if args.host not in LOOPBACK:
        print(
            f"rvucheck: warning: listening on {args.host}: other computers on the network can reach the page"
        )
    print(f"rvucheck serve: open {url} (Ctrl-C stops it; uploads and results are deleted when it stops)")
    if args.open:  # once the server is listening
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, [url]).start()
    # no access log: a URL could carry a code looked up, never write it anywhere
    uvicorn.run(
        web.create_app(config), host=args.host, port=args.port, access_log=False, log_level="warning",
        server_header=False,
    )  # fmt: skip
    return 0


def _port_free(host: str, port: int) -> None:
    """One line instead of the server's log when the port is taken (another `rvucheck serve`?)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise RvucheckError(
                f"cannot listen on {host}:{port} ({exc.strerror}); is rvucheck serve already running? "
                "give another port with --port"
            ) from None

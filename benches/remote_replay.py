#!/usr/bin/env python3
"""Serves /api/catalog/entities/by-query cursor pages of N entities made from
entities a real Backstage backend returned (a JSON list, e.g. crawled by
benches/remote.sh), copied with new names and uids until N: a remote sync at
a size the test backend cannot load in reasonable time on a small machine.
  benches/remote_replay.py ENTITIES.json N PORT
"""
import copy
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

source = json.load(open(sys.argv[1]))
total, port = int(sys.argv[2]), int(sys.argv[3])


def entity(k):
    item = source[k % len(source)]
    round_ = k // len(source)
    if round_ == 0:
        return item
    item = copy.deepcopy(item)
    meta = item["metadata"]
    meta["name"] = f"{meta['name']}-r{round_}"[:63]
    meta["uid"] = f"{meta['uid']}-r{round_}"
    return item


class Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/api/catalog/entities/by-query":
            self.send_error(404)
            return
        query = parse_qs(url.query)
        limit = int(query.get("limit", ["20"])[0])
        start = int(query.get("cursor", ["0"])[0])
        end = min(start + limit, total)
        page = {"items": [entity(k) for k in range(start, end)], "totalItems": total,
                "pageInfo": {"nextCursor": str(end)} if end < total else {}}
        body = json.dumps(page).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Pages).serve_forever()

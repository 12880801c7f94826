"""Strict independent WebSocket client (Debian python3-websockets 10.x) for lightgate's tests.

Sends --text text and --binary binary messages of about --size bytes (alternating, text first), checks that
each comes back byte for byte, closes, and prints one JSON line with what happened. Exit 0 when all went
well. Run with /usr/bin/python3 (the Debian interpreter that has the websockets package).

--framing exact: each echo must be one message of the same type (an RFC 6455 echo server).
--framing stream: the echo may come back in any number of messages of either type (a tunnel such as
  mod_wstunnel re-frames the backend's bytes); the bytes must still match exactly and in order.
--close client: the client closes with 1000 and reports the code the server answered.
--close server: the client waits for the server to close and reports that code.
Result: close_code is the code the server sent (1006: no close frame), close_sent the client's own.
"""
import argparse
import asyncio
import json
import os
import sys

import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatusCode, InvalidHandshake


def text_payload(i, size):
    # Multi-byte characters of 2, 3 and 4 bytes, so a tunnel that splits UTF-8 sequences gets caught.
    head = "t%d:" % i
    body = ("abc\u00e9\u20ac\U0001F600" * (size // 12 + 1))
    s = head + body
    while len(s.encode()) > max(size, len(head.encode())):
        s = s[:-1]
    return s


def binary_payload(i, size):
    return b"b%d:" % i + os.urandom(max(0, size - len(b"b%d:" % i)))


async def exchange(ws, args, result):
    kinds = []
    for j in range(max(args.text, args.binary)):
        kinds += ([True] if j < args.text else []) + ([False] if j < args.binary else [])
    for i, is_text in enumerate(kinds):
        sent = text_payload(i, args.size) if is_text else binary_payload(i, args.size)
        expected = sent.encode() if is_text else sent
        await ws.send(sent)
        result["sent"] += 1
        got = b""
        while len(got) < len(expected):
            msg = await asyncio.wait_for(ws.recv(), args.timeout)
            kind = "text" if isinstance(msg, str) else "binary"
            result["received_" + kind] += 1
            data = msg.encode() if isinstance(msg, str) else msg
            got += data
            if args.framing == "exact":
                if (kind == "text") != is_text:
                    raise AssertionError("message %d: sent %s, echo came back as %s"
                                         % (i, "text" if is_text else "binary", kind))
                break
        if args.framing == "exact" and len(got) != len(expected):
            raise AssertionError("message %d: sent %d bytes, the echo was one message of %d bytes"
                                 % (i, len(expected), len(got)))
        if got != expected:
            diff = next((k for k in range(min(len(got), len(expected))) if got[k] != expected[k]),
                        min(len(got), len(expected)))
            raise AssertionError("message %d: echo differs at byte %d (sent %d bytes, got %d)"
                                 % (i, diff, len(expected), len(got)))
        result["echoed"] += 1


async def main(args):
    result = {"ok": False, "handshake_status": None, "subprotocol": None, "sent": 0, "echoed": 0,
              "received_text": 0, "received_binary": 0, "close_code": None, "close_reason": None,
              "close_sent": None, "error": None}
    ws = None
    try:
        ws = await websockets.connect(
            args.url, origin=args.origin, subprotocols=args.subprotocol or None, compression=None,
            open_timeout=args.timeout, close_timeout=args.timeout, ping_interval=None,
            max_size=max(1 << 20, 4 * args.size))
        result["handshake_status"] = 101
        result["subprotocol"] = ws.subprotocol
        await exchange(ws, args, result)
        if args.close == "client":
            await ws.close(1000, "done")
            result["close_sent"] = 1000
        else:
            await asyncio.wait_for(ws.wait_closed(), args.timeout)
        result["ok"] = True
    except InvalidStatusCode as e:
        result["handshake_status"] = e.status_code
        result["error"] = "handshake refused: HTTP %d" % e.status_code
    except InvalidHandshake as e:
        result["error"] = "bad handshake: %s" % e
    except ConnectionClosed as e:
        result["error"] = "connection closed early: %s" % e
        # The code this client sent: 1002 for a protocol violation, 1007 for invalid UTF-8 in text.
        result["close_sent"] = e.sent.code if e.sent else None
    except asyncio.TimeoutError:
        result["error"] = "timed out after %ss" % args.timeout
    except AssertionError as e:
        result["error"] = str(e)
    except OSError as e:
        result["error"] = "socket: %s" % e
    finally:
        if ws is not None:
            if args.close == "client" or result["error"] is not None:
                await ws.close()
            result["close_code"] = ws.close_code
            result["close_reason"] = ws.close_reason
    return result


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("--text", type=int, default=5)
    p.add_argument("--binary", type=int, default=5)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--origin")
    p.add_argument("--subprotocol", action="append")
    p.add_argument("--framing", choices=["exact", "stream"], default="exact")
    p.add_argument("--close", choices=["client", "server"], default="client")
    p.add_argument("--timeout", type=float, default=10)
    r = asyncio.run(main(p.parse_args()))
    print(json.dumps(r), flush=True)
    sys.exit(0 if r["ok"] else 1)

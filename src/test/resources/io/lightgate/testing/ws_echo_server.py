"""RFC 6455 echo server (Debian python3-websockets 10.x) for testing the test client itself.

Listens on 127.0.0.1 on a free port and prints "PORT <n>" once ready; runs until killed.
--corrupt K: flips a byte of the K-th echoed message (1-based). --close-after K CODE: closes with CODE after
echoing K messages. --refuse STATUS: answers every handshake with that HTTP status. --split: echoes each
message as two messages (what a tunnel's re-framing looks like). --max-size BYTES: the largest message
accepted (websockets' default: 1 MiB).
"""
import argparse
import asyncio
import http

import websockets


async def main(args):
    async def refuse(path, headers):
        if args.refuse:
            return http.HTTPStatus(args.refuse), [("Content-Type", "text/plain")], b"refused\n"
        return None

    async def echo(ws, path=None):
        n = 0
        async for msg in ws:
            n += 1
            if args.corrupt == n:
                msg = (msg[:-1] + ("x" if msg[-1:] != "x" else "y")) if isinstance(msg, str) \
                    else msg[:-1] + bytes([msg[-1] ^ 1])
            if args.split and len(msg) > 1:
                await ws.send(msg[: len(msg) // 2])
                await ws.send(msg[len(msg) // 2:])
            else:
                await ws.send(msg)
            if args.close_after and n == args.close_after[0]:
                await ws.close(args.close_after[1], "closing as asked")
                return

    async with websockets.serve(echo, "127.0.0.1", 0, process_request=refuse, compression=None,
                                ping_interval=None, max_size=args.max_size) as server:
        print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--corrupt", type=int)
    p.add_argument("--close-after", type=int, nargs=2)
    p.add_argument("--refuse", type=int)
    p.add_argument("--split", action="store_true")
    p.add_argument("--max-size", type=int, default=1 << 20)
    asyncio.run(main(p.parse_args()))

"""WebSocket echo with Python's websockets (asyncio) for bench/ws/run.sh: every message
goes back as it came (bytes stay binary). No permessage-deflate (compression=None), no
pings, 64 MiB largest message.

Usage: /usr/bin/python3 python_ws.py PORT
"""

import asyncio
import signal
import sys

import websockets


async def echo(ws, path=None):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main(port):
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(echo, "127.0.0.1", port, compression=None, ping_interval=None,
                                max_size=64 << 20, backlog=4096):
        await stop


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))

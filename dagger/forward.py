"""Forwards each TCP port named on the command line to the same port of the
host "upstream" (a Dagger service binding): with-host-service's relay
between a function's container and a service on the caller's host."""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:
        pass


async def serve(port):
    async def relay(reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("upstream", port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        writer.close()
        up_writer.close()

    server = await asyncio.start_server(relay, "0.0.0.0", port)
    await server.serve_forever()


async def main():
    await asyncio.gather(*(serve(int(p)) for p in sys.argv[1:]))


asyncio.run(main())

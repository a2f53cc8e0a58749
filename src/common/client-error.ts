import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

// Node's HTTP parser refuses some requests before any route sees them (raw bytes outside ASCII in
// the request line, control characters in a header, oversized headers) and then writes a bare
// status line. These get the API's JSON error shape instead.
const STATUS_OF: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };
const MESSAGE_OF: Record<number, string> = {
  400: 'The request could not be parsed (raw bytes outside ASCII in the request line, or control characters in a header)',
  408: 'The request took too long to arrive',
  431: 'The request headers are too large',
};

/** Answers requests Node's parser refused with `{ statusCode, error, message }` and closes the connection. */
export function answerClientErrorsWithJson(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = STATUS_OF[err.code ?? ''] ?? 400;
    const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message: MESSAGE_OF[status] });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

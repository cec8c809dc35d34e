import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";

/** What a supervisor stand-in answers: enough of the real API for health, the auth check and a deploy. */
function answerFor(path: string): { status: number; body: unknown } {
  if (path.startsWith("/api/health")) return { status: 200, body: { status: "ok", version: "9.9.9" } };
  if (path.startsWith("/api/config/history")) return { status: 200, body: { configs: [] } };
  return { status: 404, body: { error: `no route ${path}` } };
}

export interface RecordedRequest {
  method: string;
  path: string;
  host: string | undefined;
  authorization: string | undefined;
  actor: string | undefined;
}

export interface HttpRecorder {
  url: string;
  requests: RecordedRequest[];
  connections: number;
  close(): Promise<void>;
}

/** A plain HTTP peer on a loopback address that records the host, path and token of every request. */
export async function startHttpRecorder(host: string, port: number): Promise<HttpRecorder> {
  const recorder = { requests: [] as RecordedRequest[], connections: 0 };
  const server: HttpServer = createHttpServer((request, response) => {
    recorder.requests.push({
      method: request.method ?? "",
      path: request.url ?? "",
      host: request.headers.host,
      authorization: request.headers.authorization,
      actor: request.headers["x-bms-actor"] as string | undefined,
    });
    const answer = answerFor(request.url ?? "");
    response.writeHead(answer.status, { "content-type": "application/json" });
    response.end(JSON.stringify(answer.body));
  });
  server.on("connection", () => {
    recorder.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return Object.assign(recorder, {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

export interface TlsRecorder {
  /** TCP connections accepted, and how many of them have closed since. */
  connections: number;
  closed: number;
  /** Completed TLS handshakes (as the server saw them). */
  handshakes: number;
  /** Every decrypted application byte any client sent, across connections. */
  received(): Buffer;
  close(): Promise<void>;
}

/**
 * A TLS peer that records the raw decrypted bytes it receives, below any HTTP parsing: if a client sent
 * a request line or a header, it is here. It answers a complete HTTP/1.1 request like a supervisor.
 */
export async function startTlsRecorder(
  host: string,
  port: number,
  material: { cert: string; key: string },
): Promise<TlsRecorder> {
  const chunks: Buffer[] = [];
  const state = { connections: 0, closed: 0, handshakes: 0 };
  const server: TlsServer = createTlsServer({ cert: material.cert, key: material.key }, (socket) => {
    state.handshakes += 1;
    let pending = Buffer.alloc(0);
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = pending.subarray(0, end).toString("latin1");
      const length = Number(head.match(/\r\ncontent-length:\s*(\d+)/i)?.[1] ?? 0);
      if (pending.length < end + 4 + length) return;
      const path = head.split(" ")[1] ?? "/";
      const answer = answerFor(path);
      const body = JSON.stringify(answer.body);
      socket.end(
        `HTTP/1.1 ${answer.status} X\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
  });
  server.on("connection", (socket) => {
    state.connections += 1;
    socket.once("close", () => {
      state.closed += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return Object.assign(state, {
    received: () => Buffer.concat(chunks),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

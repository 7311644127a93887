/**
 * A hostile HTTP/1.1 server on 127.0.0.1, written on raw TCP so a test controls every byte and
 * every pause of an answer: a Content-Length that lies, a body that never ends, one byte every few
 * seconds. Each connection's request head is parsed (method, path, headers) and handed to the
 * test's handler, which writes whatever it likes; errors from a client that went away end the
 * handler quietly.
 *
 * @module
 */

/** One request as the hostile server read it. */
export interface RawRequest {
  method: string;
  path: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
}

/** What a handler writes with. */
export interface RawAnswer {
  /** Writes text or bytes; rejects once the client has gone. */
  write(data: string | Uint8Array): Promise<void>;
  /** Writes a status line and headers (and the blank line after them). */
  head(status: number, headers?: Record<string, string | number>): Promise<void>;
  /** A whole JSON answer with its Content-Length. */
  json(status: number, body: unknown): Promise<void>;
  /** Resolves after `ms`, or at once when the server is stopping. */
  sleep(ms: number): Promise<void>;
  /** Whether the server is stopping (handlers that loop should end). */
  readonly stopping: boolean;
}

/** A running hostile server. */
export interface RawServer {
  url: string;
  /** Every request read so far. */
  requests: RawRequest[];
  /** Connections open right now, and the most open at once. */
  readonly open: number;
  readonly maxOpen: number;
  stop(): Promise<void>;
}

const enc = new TextEncoder();

async function readHead(conn: Deno.Conn): Promise<RawRequest | undefined> {
  const buf = new Uint8Array(64 * 1024);
  let used = 0;
  while (used < buf.length) {
    const n = await conn.read(buf.subarray(used));
    if (n === null) return undefined;
    used += n;
    const text = new TextDecoder().decode(buf.subarray(0, used));
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) continue;
    const [line, ...rest] = text.slice(0, end).split("\r\n");
    const [method, path] = line.split(" ");
    const headers: Record<string, string> = {};
    for (const h of rest) {
      const i = h.indexOf(":");
      if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
    return { method, path, headers };
  }
  return undefined;
}

/**
 * Starts a hostile server; `handle` answers each request (one request per connection: every
 * answer the handler writes should say `Connection: close`, which {@link RawAnswer.head} does).
 */
export function startRawServer(
  handle: (req: RawRequest, answer: RawAnswer) => Promise<void>,
): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const requests: RawRequest[] = [];
  const tasks = new Set<Promise<void>>();
  const wakers = new Set<() => void>();
  let stopping = false;
  let maxOpen = 0;
  const serveOne = async (conn: Deno.Conn) => {
    try {
      const req = await readHead(conn);
      if (req === undefined) return;
      requests.push(req);
      const answer: RawAnswer = {
        async write(data) {
          const bytes = typeof data === "string" ? enc.encode(data) : data;
          let at = 0;
          while (at < bytes.length) at += await conn.write(bytes.subarray(at));
        },
        async head(status, headers = {}) {
          const lines = [`HTTP/1.1 ${status} X`, "Connection: close"];
          for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
          await this.write(`${lines.join("\r\n")}\r\n\r\n`);
        },
        async json(status, body) {
          const bytes = enc.encode(JSON.stringify(body));
          await this.head(status, {
            "Content-Type": "application/json",
            "Content-Length": bytes.length,
          });
          await this.write(bytes);
        },
        sleep(ms) {
          if (stopping) return Promise.resolve();
          return new Promise((resolve) => {
            const wake = () => {
              clearTimeout(timer);
              wakers.delete(wake);
              resolve();
            };
            const timer = setTimeout(wake, ms);
            wakers.add(wake);
          });
        },
        get stopping() {
          return stopping;
        },
      };
      await handle(req, answer);
    } catch {
      // The client went away, or the server is stopping.
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      maxOpen = Math.max(maxOpen, conns.size);
      const t = serveOne(conn);
      tasks.add(t);
      t.finally(() => tasks.delete(t));
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    requests,
    get open() {
      return conns.size;
    },
    get maxOpen() {
      return maxOpen;
    },
    async stop() {
      stopping = true;
      for (const wake of [...wakers]) wake();
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await accepting;
      await Promise.allSettled([...tasks]);
    },
  };
}

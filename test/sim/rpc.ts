/** A bare JSON-RPC client over fetch, so the server is tested the way a foreign program sees it. */
export interface RpcReply {
  jsonrpc: string;
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<RpcReply> {
  return (await post(url, { jsonrpc: '2.0', id: 1, method, params })).json as RpcReply;
}

/** The result, or a thrown Error with the JSON-RPC error message. */
export async function call<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const reply = await rpc(url, method, params);
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result as T;
}

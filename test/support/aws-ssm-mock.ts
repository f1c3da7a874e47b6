import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny fake of AWS Systems Manager Parameter Store, enough for the real terraform AWS provider
 * to create, read, update and delete an `aws_ssm_parameter`. It speaks the JSON 1.1 protocol
 * (`POST /`, `X-Amz-Target: AmazonSSM.<Operation>`), keeps parameters in memory, ignores request
 * signatures, and listens on 127.0.0.1 only. Every operation it is asked for is recorded in
 * `calls`; one it does not know is answered with a 400 `UnknownOperationException`.
 */

export const MOCK_ACCOUNT_ID = "123456789012";

interface StoredParameter {
  name: string;
  type: string;
  value: string;
  version: number;
  description?: string;
  dataType: string;
  tier: string;
  allowedPattern?: string;
  lastModified: number;
  tags: Map<string, string>;
}

export interface SsmMock {
  /** Base URL to give the provider as its `ssm` endpoint. */
  readonly url: string;
  /** Every operation received, in order: `PutParameter`, `GetParameter`, ... */
  readonly calls: readonly string[];
  /** Changes a parameter's value behind Terraform's back, as someone in the console would. */
  setValue(name: string, value: string): void;
  /** The stored value of a parameter, or undefined when there is none. */
  valueOf(name: string): string | undefined;
  close(): Promise<void>;
}

class SsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

export async function startSsmMock(options: { region?: string } = {}): Promise<SsmMock> {
  const region = options.region ?? "us-east-2";
  const parameters = new Map<string, StoredParameter>();
  const calls: string[] = [];

  const arn = (name: string) => `arn:aws:ssm:${region}:${MOCK_ACCOUNT_ID}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
  const now = () => Math.floor(Date.now() / 1000);

  const find = (name: unknown): StoredParameter => {
    const p = typeof name === "string" ? parameters.get(name) : undefined;
    if (!p) throw new SsmError("ParameterNotFound", `Parameter ${String(name)} not found.`);
    return p;
  };

  const parameter = (p: StoredParameter) => ({
    Name: p.name,
    Type: p.type,
    Value: p.value,
    Version: p.version,
    ARN: arn(p.name),
    LastModifiedDate: p.lastModified,
    DataType: p.dataType,
  });

  const metadata = (p: StoredParameter) => ({
    Name: p.name,
    ARN: arn(p.name),
    Type: p.type,
    Version: p.version,
    Tier: p.tier,
    Policies: [],
    DataType: p.dataType,
    LastModifiedDate: p.lastModified,
    LastModifiedUser: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`,
    ...(p.description !== undefined ? { Description: p.description } : {}),
    ...(p.allowedPattern !== undefined ? { AllowedPattern: p.allowedPattern } : {}),
  });

  /** The parameter names a DescribeParameters filter asks for (`Name` / `Equals` only). */
  const namesFiltered = (body: Body): string[] | undefined => {
    const filters = [...((body.ParameterFilters as Body[] | undefined) ?? []), ...((body.Filters as Body[] | undefined) ?? [])];
    const byName = filters.filter((f) => f.Key === "Name");
    if (byName.length === 0) return undefined;
    for (const f of byName) {
      if (f.Option !== undefined && f.Option !== "Equals") throw new SsmError("ValidationException", `mock supports only the Equals option, not ${String(f.Option)}`);
    }
    return byName.flatMap((f) => (f.Values as string[] | undefined) ?? []);
  };

  const taggedParameter = (body: Body): StoredParameter => {
    if (body.ResourceType !== "Parameter") throw new SsmError("InvalidResourceType", `mock supports only ResourceType Parameter, not ${String(body.ResourceType)}`);
    return find(body.ResourceId);
  };

  const operations: Record<string, (body: Body) => unknown> = {
    PutParameter(body) {
      const name = String(body.Name);
      const existing = parameters.get(name);
      if (existing && body.Overwrite !== true) throw new SsmError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
      if (existing && body.Tags !== undefined) throw new SsmError("ValidationException", "Invalid request: tags and overwrite can't be used together.");
      const p: StoredParameter = existing ?? {
        name,
        type: "String",
        value: "",
        version: 0,
        dataType: "text",
        tier: "Standard",
        lastModified: 0,
        tags: new Map(),
      };
      p.value = String(body.Value);
      if (typeof body.Type === "string") p.type = body.Type;
      if (typeof body.Description === "string") p.description = body.Description;
      if (typeof body.DataType === "string") p.dataType = body.DataType;
      if (typeof body.Tier === "string" && body.Tier !== "Intelligent-Tiering") p.tier = body.Tier;
      if (typeof body.AllowedPattern === "string") p.allowedPattern = body.AllowedPattern;
      for (const t of (body.Tags as Body[] | undefined) ?? []) p.tags.set(String(t.Key), String(t.Value));
      p.version++;
      p.lastModified = now();
      parameters.set(name, p);
      return { Version: p.version, Tier: p.tier };
    },
    GetParameter(body) {
      return { Parameter: parameter(find(body.Name)) };
    },
    GetParameters(body) {
      const names = (body.Names as string[] | undefined) ?? [];
      return {
        Parameters: names.filter((n) => parameters.has(n)).map((n) => parameter(find(n))),
        InvalidParameters: names.filter((n) => !parameters.has(n)),
      };
    },
    DescribeParameters(body) {
      const names = namesFiltered(body);
      const found = [...parameters.values()].filter((p) => names === undefined || names.includes(p.name));
      return { Parameters: found.map(metadata) };
    },
    ListTagsForResource(body) {
      const p = taggedParameter(body);
      return { TagList: [...p.tags].map(([Key, Value]) => ({ Key, Value })) };
    },
    AddTagsToResource(body) {
      const p = taggedParameter(body);
      for (const t of (body.Tags as Body[] | undefined) ?? []) p.tags.set(String(t.Key), String(t.Value));
      return {};
    },
    RemoveTagsFromResource(body) {
      const p = taggedParameter(body);
      for (const k of (body.TagKeys as string[] | undefined) ?? []) p.tags.delete(k);
      return {};
    },
    DeleteParameter(body) {
      parameters.delete(find(body.Name).name);
      return {};
    },
  };

  const reply = (res: ServerResponse, status: number, payload: unknown) => {
    res.writeHead(status, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": `mock-${calls.length}` });
    res.end(JSON.stringify(payload));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("AmazonSSM.") ? target.slice("AmazonSSM.".length) : target || `${req.method} ${req.url}`;
    calls.push(operation);
    const handler = req.method === "POST" && target.startsWith("AmazonSSM.") ? operations[operation] : undefined;
    if (!handler) {
      reply(res, 400, { __type: "UnknownOperationException", message: `the SSM mock does not implement ${operation}` });
      return;
    }
    try {
      const text = Buffer.concat(chunks).toString("utf8");
      reply(res, 200, handler(text ? (JSON.parse(text) as Body) : {}));
    } catch (e) {
      if (e instanceof SsmError) reply(res, 400, { __type: e.type, message: e.message });
      else reply(res, 500, { __type: "InternalServerError", message: String(e) });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => reply(res, 500, { __type: "InternalServerError", message: String(e) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setValue(name, value) {
      const p = find(name);
      p.value = value;
      p.version++;
      p.lastModified = now();
    },
    valueOf: (name) => parameters.get(name)?.value,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

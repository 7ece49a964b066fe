namespace Dnet.Contracts.Tracing;

/// <summary>
/// The frame catalogue: every span ("frame") a Dnet process opens has one of these names. Names are
/// <c>&lt;scope&gt;.&lt;what&gt;</c>; a <c>.wait</c> suffix marks idle waiting on a queue. Every frame carries
/// <see cref="SpanAttributes.Node"/> (added automatically) and, when it belongs to a request,
/// <see cref="SpanAttributes.RequestId"/>.
/// </summary>
public static class FrameNames
{
    /// <summary>Scope of the gateway's per-request frames.</summary>
    public const string RequestScope = "request.";

    /// <summary>Scope of process start-up frames.</summary>
    public const string StartupScope = "startup.";

    /// <summary>Scope of model loading and KV-cache frames.</summary>
    public const string MemoryScope = "memory.";

    /// <summary>Scope of forward-pass frames.</summary>
    public const string ComputeScope = "compute.";

    /// <summary>Scope of frames that move bytes between processes.</summary>
    public const string NetworkScope = "network.";

    /// <summary>
    /// Prefix of the gateway's request root span <c>chat {model}</c> (OpenTelemetry GenAI conventions); see
    /// <see cref="Chat"/>.
    /// </summary>
    public const string ChatPrefix = "chat ";

    /// <summary>Prefix of the request root span of a legacy completion, <c>text_completion {model}</c>; see <see cref="TextCompletion"/>.</summary>
    public const string TextCompletionPrefix = "text_completion ";

    /// <summary>Suffix of frames that measure idle waiting rather than work.</summary>
    public const string WaitSuffix = ".wait";

    // Gateway

    /// <summary>Gateway: parse and validate the HTTP request body. Attributes: request id.</summary>
    public const string RequestReceive = "request.receive";

    /// <summary>Gateway: chat template + tokenization of the prompt. Attributes: request id, <c>dnet.tokens</c> (prompt tokens).</summary>
    public const string RequestTokenize = "request.tokenize";

    /// <summary>Gateway: waiting for admission into the ring (idle). Attributes: request id.</summary>
    public const string RequestQueueWait = "request.queue.wait";

    /// <summary>Gateway: prompt sent to the first shard until the first token is back. Attributes: request id, <c>dnet.tokens</c>.</summary>
    public const string RequestPrefill = "request.prefill";

    /// <summary>
    /// Gateway: one per generated token, at the moment its text reached the client (flushed in a stream; final for a
    /// non-streamed response). A token whose text was held back (incomplete UTF-8, a possible stop string) is emitted
    /// with the write that carries it. Its start is the emission time. Attributes: request id,
    /// <c>dnet.token_index</c> (0-based).
    /// </summary>
    public const string RequestToken = "request.token";

    /// <summary>
    /// Gateway: idle waiting for the ring to return the next token (or an error). Without it, that wait would count as
    /// the root span's own time. Attributes: request id, <c>dnet.step</c>.
    /// </summary>
    public const string RequestTokenWait = "request.token.wait";

    /// <summary>
    /// Gateway: writing one server-sent event to the client and flushing it. Attributes: <c>dnet.bytes</c> (UTF-8 bytes
    /// of the event). Not a ring hop, so not counted in a node's bytes sent.
    /// </summary>
    public const string NetworkClientSend = "network.client.send";

    /// <summary>Gateway: token ids back to text for the client. Attributes: request id.</summary>
    public const string RequestDetokenize = "request.detokenize";

    /// <summary>Gateway: free the request's KV cache on every shard and finish the response. Attributes: request id.</summary>
    public const string RequestEnd = "request.end";

    /// <summary>
    /// Gateway: deploying a model: planning the layer assignment and loading the slices on every shard (their
    /// <see cref="MemoryModelLoad"/> frames are its children). Attributes: <c>gen_ai.request.model</c>.
    /// </summary>
    public const string StartupDeploy = "startup.deploy";

    // Shard: start-up and memory

    /// <summary>Shard: gRPC server start-up.</summary>
    public const string StartupGrpc = "startup.grpc";

    /// <summary>Shard: measuring the device profile (GFLOP/s, memory, disk). Attributes: <c>dnet.dtype</c>.</summary>
    public const string StartupProfileDevice = "startup.profile.device";

    /// <summary>Shard: connecting the stream to the next hop (shard or gateway token sink).</summary>
    public const string NetworkConnectNext = "network.connect.next";

    /// <summary>
    /// Shard: loading a layer range; contains <see cref="MemoryModelLoadMetadata"/>, <see cref="MemoryWeightsMap"/>
    /// and <see cref="MemoryWarmup"/>. Attributes: <c>dnet.layers</c>, <c>dnet.dtype</c>, <c>dnet.bytes</c> (weights).
    /// </summary>
    public const string MemoryModelLoad = "memory.model.load";

    /// <summary>Shard: reading config.json and the safetensors header.</summary>
    public const string MemoryModelLoadMetadata = "memory.model.load_metadata";

    /// <summary>Shard: memory-mapping the slice's weights. Attributes: <c>dnet.bytes</c>.</summary>
    public const string MemoryWeightsMap = "memory.weights.map";

    /// <summary>Shard: one warm-up forward pass after loading. Attributes: <c>dnet.layers</c>.</summary>
    public const string MemoryWarmup = "memory.warmup";

    /// <summary>Shard: allocating a request's KV cache. Attributes: request id, <c>dnet.bytes</c>.</summary>
    public const string MemoryKvAlloc = "memory.kv.alloc";

    /// <summary>Shard: freeing a request's KV cache. Attributes: request id, <c>dnet.bytes</c>.</summary>
    public const string MemoryKvFree = "memory.kv.free";

    // Shard: one activation

    /// <summary>Shard: one activation frame received from the previous hop. Attributes: request id, <c>dnet.step</c>, <c>dnet.bytes</c>.</summary>
    public const string NetworkRx = "network.rx";

    /// <summary>Shard: a received frame waiting for the compute worker (idle). Attributes: request id, <c>dnet.step</c>.</summary>
    public const string ComputeQueueWait = "compute.queue.wait";

    /// <summary>
    /// Shard: one activation (a decode step or a prompt chunk) through this shard's layers, end to end; contains
    /// <see cref="ComputeActivationsLoad"/>, <see cref="ComputeExecute"/>, <see cref="ComputeSampling"/> (last shard) and
    /// <see cref="ComputeActivationsStore"/>. A shard runs the steps of many requests as one batched forward: each request
    /// gets its own frame with the batch's start and end, so its duration is the shared batch time.
    /// Attributes: request id, <c>dnet.step</c>, <c>dnet.layers</c>, <c>dnet.tokens</c>, <c>dnet.flops</c>, <c>dnet.dtype</c>,
    /// <c>dnet.batch.size</c>, <c>dnet.batch.tokens</c>.
    /// </summary>
    public const string ComputeForward = "compute.forward";

    /// <summary>Shard: this request's incoming bytes (or token ids) to the engine's input rows. Attributes: <c>dnet.bytes</c>.</summary>
    public const string ComputeActivationsLoad = "compute.activations.load";

    /// <summary>
    /// Shard: the layers themselves (each request with its own KV cache) and, on the last shard, final norm and lm_head:
    /// one batched forward, so the same interval for every request of the batch. Attributes: <c>dnet.layers</c>,
    /// <c>dnet.tokens</c> (this request's rows), <c>dnet.batch.size</c>, <c>dnet.batch.tokens</c>.
    /// </summary>
    public const string ComputeExecute = "compute.execute";

    /// <summary>Last shard: sampling the next token from this request's logits with its parameters.</summary>
    public const string ComputeSampling = "compute.sampling";

    /// <summary>Shard: the output tensor to bytes for the next hop. Attributes: <c>dnet.bytes</c>.</summary>
    public const string ComputeActivationsStore = "compute.activations.store";

    /// <summary>Shard: sending the hidden state to the next shard. Attributes: request id, <c>dnet.step</c>, <c>dnet.bytes</c>.</summary>
    public const string NetworkTx = "network.tx";

    /// <summary>Last shard: sending the sampled token to the gateway's token sink. Attributes: request id, <c>dnet.step</c>.</summary>
    public const string NetworkTokenSend = "network.token.send";

    private static readonly string[] Scopes = [RequestScope, StartupScope, MemoryScope, ComputeScope, NetworkScope, ChatPrefix, TextCompletionPrefix];

    /// <summary>The request root span name for <paramref name="model"/>: <c>chat {model}</c>.</summary>
    /// <param name="model">Model requested by the client.</param>
    public static string Chat(string model) => ChatPrefix + model;

    /// <summary>The request root span name of a legacy completion for <paramref name="model"/>: <c>text_completion {model}</c>.</summary>
    /// <param name="model">Model requested by the client.</param>
    public static string TextCompletion(string model) => TextCompletionPrefix + model;

    /// <summary>
    /// Whether <paramref name="name"/> belongs to the catalogue's scopes (or is a request root), i.e. is subject to the
    /// run-time trace control. Other spans (ASP.NET, HTTP clients) are not.
    /// </summary>
    /// <param name="name">Span name.</param>
    public static bool IsFrame(string name)
    {
        foreach (var scope in Scopes)
        {
            if (name.StartsWith(scope, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="name"/> is part of every request's skeleton: the root span (<c>chat {model}</c>) and
    /// <see cref="RequestToken"/>. Request stats (TTFT, inter-token latency, token rates) are built on them, so the trace
    /// control's prefix filter always records them.
    /// </summary>
    /// <param name="name">Frame name.</param>
    public static bool IsRequestSkeleton(string name) =>
        name.StartsWith(ChatPrefix, StringComparison.Ordinal) || name == RequestToken;

    /// <summary>Whether <paramref name="name"/> denotes idle waiting (ends with <see cref="WaitSuffix"/>).</summary>
    /// <param name="name">Frame name.</param>
    public static bool IsWait(string name) => name.EndsWith(WaitSuffix, StringComparison.Ordinal);
}
